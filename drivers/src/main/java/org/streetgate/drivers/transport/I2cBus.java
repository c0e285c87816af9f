package org.streetgate.drivers.transport;

import java.time.Duration;

/**
 * One I2C bus ({@code /dev/i2c-N}) shared by the devices on it. Each exchange holds the bus, so a
 * multi-register transaction of one device (write a control register, then burst-read the data) is
 * never split by another's. Real buses go through Pi4J's linuxfs plugin ({@link Pi4jI2cBus});
 * simulated ones call device models in memory ({@link SimulatedI2cBus}).
 */
public interface I2cBus extends AutoCloseable {
    /** Register access to one device on the bus, valid inside an exchange. */
    interface Device {
        int address();

        /** Reads one register. */
        int read(int register);

        /** Reads {@code into.length} registers from {@code register} on, in one burst (auto-increment). */
        void read(int register, byte[] into);

        void write(int register, int value);
    }

    @FunctionalInterface
    interface Exchange<T> {
        T run(Device device) throws InterruptedException;
    }

    int number();

    boolean simulated();

    /**
     * Runs {@code body} against the device at {@code address} with the bus held.
     *
     * @throws I2cException when the device does not acknowledge or the bus fails
     * @throws BusLockTimeoutException when another device holds the bus longer than {@code lockTimeout}
     */
    <T> T exchange(int address, Duration lockTimeout, Exchange<T> body) throws InterruptedException;

    @Override
    void close();
}
