package org.streetgate.drivers.transport;

/** A shared bus (RS-485, I2C) stayed held by another device for longer than the caller would wait. */
public final class BusLockTimeoutException extends RuntimeException {
    public BusLockTimeoutException(String message) {
        super(message);
    }
}
