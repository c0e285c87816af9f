package org.streetgate.drivers.transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's hardware access points, created once by the runtime and shared by all drivers:
 * serial ports, and the owners of shared buses (RS-485 ports by path) beside them. Closing it
 * releases whatever was opened.
 */
public class Hardware implements AutoCloseable {
    private final SerialLinks serial;
    private final Map<String, Rs485Bus> rs485 = new LinkedHashMap<>();

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

    @Override
    public void close() {
        List<AutoCloseable> owned;
        synchronized (this) {
            owned = new ArrayList<>(rs485.values());
            rs485.clear();
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
