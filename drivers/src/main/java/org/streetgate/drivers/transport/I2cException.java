package org.streetgate.drivers.transport;

/** An I2C transfer that failed: no acknowledge from the address, or a bus error. Names bus and address. */
public final class I2cException extends RuntimeException {
    public I2cException(String message) {
        super(message);
    }

    public I2cException(String message, Throwable cause) {
        super(message, cause);
    }

    public static I2cException noAnswer(int bus, int address, String detail) {
        return new I2cException(String.format("no answer from I2C address 0x%02X on bus %d%s (wrong address, "
                + "wiring or power? try i2cdetect -y %d)", address, bus, detail == null ? "" : ": " + detail, bus));
    }
}
