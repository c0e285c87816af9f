package org.streetgate.drivers.spi;

import java.time.Duration;
import java.util.List;
import org.streetgate.drivers.config.ConfigReader;

/**
 * Makes drivers of one kind. The runtime finds the factory by {@link #name()} (the profile's
 * {@code driver:} value), has it parse the device's own keys at start-up, then creates the driver.
 *
 * @param <C> the driver's typed config record
 */
public interface DriverFactory<C> {
    String name();

    /** Whether the driver needs a {@code serial:} block. */
    default boolean needsSerial() {
        return false;
    }

    /** The baud rate when the profile's {@code serial:} block gives none. */
    default int defaultBaud() {
        return 9600;
    }

    /** Whether several devices of this driver may share one serial port (an RS-485 bus). */
    default boolean sharesSerialBus() {
        return false;
    }

    /** The poll interval when the profile gives none; null for drivers that do not poll. */
    default Duration defaultPoll() {
        return null;
    }

    /**
     * Reads the driver-specific keys of a device (the common ones, {@code id}, {@code driver},
     * {@code poll}, {@code serial}, {@code sim}, are already taken). Report problems through the
     * reader; never throw for bad input.
     */
    C parseConfig(ConfigReader device);

    /**
     * The pins and I2C addresses a device with this config uses, real or simulated (the profile is
     * the wiring either way). The loader refuses two devices claiming the same one.
     */
    default List<Resource> resources(C config) {
        return List.of();
    }

    Driver create(DeviceContext<C> context);
}
