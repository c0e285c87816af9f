package org.streetgate.drivers.transport;

/**
 * The gateway's hardware access points, created once by the runtime and shared by all drivers:
 * serial ports now, and the owners of shared buses (RS-485, I2C, GPIO) beside them. Closing it
 * releases whatever was opened.
 */
public class Hardware implements AutoCloseable {
    private final SerialLinks serial;

    public Hardware() {
        this(new SerialLinks());
    }

    public Hardware(SerialLinks serial) {
        this.serial = serial;
    }

    public SerialLinks serial() {
        return serial;
    }

    @Override
    public void close() {
        // nothing held yet beyond what drivers close themselves
    }
}
