package org.streetgate.drivers.gpio;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.Gpio;

/**
 * A {@code gpio-input} device: {@code gpio: {pin, pull, debounce, active-low}}, the event types for
 * each stable level ({@code events: {high: door.opened, low: door.closed}}; a level left out raises
 * no event), their {@code severity}, and for simulation {@code sim-toggle}: flip the simulated pin
 * this often (0 = never).
 *
 * @param activeLow when true the logical level is the inverse of the electrical one, so
 *                  {@code high} means "active" for a switch that pulls the pin to ground
 */
public record GpioInputConfig(int pin, Gpio.Pull pull, Duration debounce, boolean activeLow,
                              String highEvent, String lowEvent, Message.Severity severity, Duration simToggle) {
    private static final String EVENT_NAME = "[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*";

    static GpioInputConfig read(ConfigReader r) {
        ConfigReader g = r.requiredMap("gpio");
        int pin = g.integer("pin", 0, 53);
        String pull = g.oneOf("pull", "none", List.of("up", "down", "none"));
        Duration debounce = g.duration("debounce", Duration.ofMillis(20));
        boolean activeLow = g.bool("active-low", false);
        g.finish();
        String high = "input.high";
        String low = "input.low";
        if (r.has("events")) {
            Map<String, String> events = r.stringMap("events");
            high = events.get("high");
            low = events.get("low");
            for (var e : events.entrySet()) {
                if (!e.getKey().equals("high") && !e.getKey().equals("low")) {
                    r.error("events", "events." + e.getKey() + ": only 'high' and 'low' name events");
                } else if (!e.getValue().matches(EVENT_NAME)) {
                    r.error("events", "events." + e.getKey() + " must be a dotted lower-case name like door.opened, not '"
                            + e.getValue() + "'");
                }
            }
        }
        String severity = r.oneOf("severity", "info", List.of("info", "warning", "alarm"));
        Duration simToggle = r.duration("sim-toggle", Duration.ZERO);
        return new GpioInputConfig(pin, Gpio.Pull.valueOf(pull.toUpperCase(Locale.ROOT)), debounce, activeLow,
                high, low, Message.Severity.valueOf(severity.toUpperCase(Locale.ROOT)), simToggle);
    }
}
