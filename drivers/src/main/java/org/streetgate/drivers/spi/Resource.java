package org.streetgate.drivers.spi;

/**
 * A piece of wiring a device uses alone, claimed when the profile loads so that two devices on one
 * pin or one I2C address fail at {@code validate}, not as a half-working gateway. Serial ports are
 * claimed by the loader from the {@code serial:} block; these come from {@link DriverFactory#resources}.
 */
public sealed interface Resource {
    /** The device's profile key the resource is written under, for the error's line. */
    String key();

    /** How the error names it, e.g. {@code gpio pin 17}. */
    String describe();

    /** A GPIO line by its BCM number. */
    record GpioPin(int bcm) implements Resource {
        @Override
        public String key() {
            return "gpio";
        }

        @Override
        public String describe() {
            return "gpio pin " + bcm;
        }
    }

    /** One I2C device: a bus and a 7-bit address on it. */
    record I2cAddress(int bus, int address) implements Resource {
        @Override
        public String key() {
            return "i2c";
        }

        @Override
        public String describe() {
            return String.format("i2c bus %d address 0x%02X", bus, address);
        }
    }
}
