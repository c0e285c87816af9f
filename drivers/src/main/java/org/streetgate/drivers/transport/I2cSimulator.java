package org.streetgate.drivers.transport;

/** A device on a {@link SimulatedI2cBus}: its register file as the bus master sees it. */
public interface I2cSimulator {
    /** A burst read of {@code into.length} registers from {@code register}, as one bus transaction. */
    void read(int register, byte[] into);

    void write(int register, int value);

    /** False makes the device not acknowledge, as if unplugged or unpowered. */
    default boolean present() {
        return true;
    }
}
