package org.streetgate.drivers.transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's hardware access points, created once by the runtime and shared by all drivers:
 * serial ports, and the owners of shared buses beside them: RS-485 ports by path, I2C buses by
 * number, and the GPIO pins (one Pi4J context for real pins, one with the mock plugin for simulated
 * ones). Everything opens on first use, so a profile without GPIO never touches Pi4J. Closing it
 * releases whatever was opened.
 */
public class Hardware implements AutoCloseable {
    private final SerialLinks serial;
    private final Map<String, Rs485Bus> rs485 = new LinkedHashMap<>();
    private final Map<String, I2cBus> i2c = new LinkedHashMap<>();
    private Gpio realGpio;
    private Gpio simulatedGpio;

    public Hardware() {
        this(new SerialLinks());
    }

    public Hardware(SerialLinks serial) {
        this.serial = serial;
    }

    public SerialLinks serial() {
        return serial;
    }

    /**
     * The owner of the RS-485 port at {@code settings.port()}, shared by every device on it. A
     * simulated bus is a separate one from the real port of the same name.
     *
     * @throws IllegalArgumentException when devices on the same port disagree on its line settings
     */
    public synchronized Rs485Bus rs485(SerialSettings settings, boolean simulated) {
        String key = (simulated ? "sim:" : "") + settings.port();
        Rs485Bus bus = rs485.computeIfAbsent(key, k -> new Rs485Bus(settings, simulated, serial));
        if (!bus.settings().equals(settings)) {
            throw new IllegalArgumentException("devices on RS-485 port " + settings.port()
                    + " disagree on its settings: " + bus.settings() + " and " + settings);
        }
        return bus;
    }

    /**
     * The GPIO pins: simulated ones through Pi4J's mock plugin, real ones through gpiod (or linuxfs,
     * per {@code STREETGATE_GPIO_PROVIDER}).
     *
     * @throws GpioException when real GPIO cannot be started (not a Pi, or no access)
     */
    public synchronized Gpio gpio(boolean simulated) {
        if (simulated) {
            if (simulatedGpio == null) {
                simulatedGpio = Pi4jGpio.mock();
            }
            return simulatedGpio;
        }
        if (realGpio == null) {
            realGpio = Pi4jGpio.real();
        }
        return realGpio;
    }

    /**
     * I2C bus {@code number} ({@code /dev/i2c-N}); simulated, a {@link SimulatedI2cBus} to which
     * drivers attach their device models.
     *
     * @throws I2cException when the real bus is missing or not permitted
     */
    public synchronized I2cBus i2c(int number, boolean simulated) {
        String key = (simulated ? "sim:" : "") + number;
        I2cBus bus = i2c.get(key);
        if (bus == null) {
            bus = simulated ? new SimulatedI2cBus(number) : Pi4jI2cBus.open(number);
            i2c.put(key, bus);
        }
        return bus;
    }

    @Override
    public void close() {
        List<AutoCloseable> owned;
        synchronized (this) {
            owned = new ArrayList<>(rs485.values());
            owned.addAll(i2c.values());
            if (realGpio != null) {
                owned.add(realGpio);
            }
            if (simulatedGpio != null) {
                owned.add(simulatedGpio);
            }
            rs485.clear();
            i2c.clear();
            realGpio = null;
            simulatedGpio = null;
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                org.tinylog.Logger.warn("closing {}: {}", c, e.getMessage());
            }
        }
    }
}
