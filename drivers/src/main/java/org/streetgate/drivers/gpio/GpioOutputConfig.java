package org.streetgate.drivers.gpio;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.streetgate.drivers.config.ConfigReader;

/**
 * A {@code gpio-output} device (relay, light, fan, solenoid): {@code gpio: {pin, active-low}};
 * {@code safe-state: off|on}, the state at start, at shutdown and after a pulse; {@code max-pulse},
 * the longest {@code pulse} accepted; {@code events: {on: light.on, off: light.off}} for state
 * changes (a state left out raises no event).
 */
public record GpioOutputConfig(int pin, boolean activeLow, boolean safeOn, Duration maxPulse,
                               String onEvent, String offEvent) {
    static GpioOutputConfig read(ConfigReader r) {
        ConfigReader g = r.requiredMap("gpio");
        int pin = g.integer("pin", 0, 53);
        boolean activeLow = g.bool("active-low", false);
        g.finish();
        boolean safeOn = r.oneOf("safe-state", "off", List.of("off", "on")).equals("on");
        Duration maxPulse = r.duration("max-pulse", Duration.ofSeconds(60));
        String on = "output.on";
        String off = "output.off";
        if (r.has("events")) {
            Map<String, String> events = r.stringMap("events");
            on = events.get("on");
            off = events.get("off");
            for (String k : events.keySet()) {
                if (!k.equals("on") && !k.equals("off")) {
                    r.error("events", "events." + k + ": only 'on' and 'off' name events");
                }
            }
        }
        return new GpioOutputConfig(pin, activeLow, safeOn, maxPulse, on, off);
    }
}
