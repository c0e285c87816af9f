package org.streetgate.drivers.spi;

import java.util.Map;
import java.util.Objects;

/** What a driver hands to the runtime: measurements or things that happened. */
public sealed interface Message permits Message.Reading, Message.Event {
    String device();

    /** Measured values, named per the metric contract: snake_case ending in the unit. */
    record Reading(String device, Map<String, Double> metrics) implements Message {
        public Reading {
            Objects.requireNonNull(device, "device");
            metrics = Map.copyOf(metrics);
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("a reading needs at least one metric");
            }
        }
    }

    /** A discrete happening, e.g. {@code door.opened}; {@code data} holds JSON-friendly values. */
    record Event(String device, String type, Severity severity, Map<String, Object> data) implements Message {
        public Event {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(severity, "severity");
            data = Map.copyOf(data);
        }
    }

    enum Severity {
        INFO, WARNING, ALARM;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
