package org.streetgate.runtime;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;

/**
 * What each device is doing, in a few words, for the console's periodic line: its status, its
 * latest values, and the latest state its events announced ("drone in_dock", "cover open").
 * Bounded: a few metrics and one word per event family, whatever the device sends.
 */
final class Glance {
    static final int METRICS_SHOWN = 3;
    private static final int FAMILIES_SHOWN = 3;

    private final Map<String, Map<String, Double>> latest = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> states = new ConcurrentHashMap<>();

    void saw(Message message) {
        switch (message) {
            case Message.Reading r -> latest.put(r.device(), Map.copyOf(r.metrics()));
            case Message.Event e -> {
                int dot = e.type().indexOf('.');
                if (dot > 0) {
                    Map<String, String> families = states.computeIfAbsent(e.device(), d -> new ConcurrentHashMap<>());
                    String family = e.type().substring(0, dot);
                    if (families.containsKey(family) || families.size() < 16) {
                        families.put(family, e.type().substring(dot + 1));
                    }
                }
            }
        }
    }

    /** One device in a few words: {@code dock ok: cover_state 0, wind_speed_m_s 3.2, rainfall_level 0; drone in_dock}. */
    String of(String device, DeviceStatus status) {
        StringBuilder sb = new StringBuilder(device).append(' ').append(status.state().wire());
        Map<String, Double> metrics = latest.get(device);
        if (metrics != null && !metrics.isEmpty()) {
            sb.append(':');
            int shown = 0;
            for (var m : new java.util.TreeMap<>(metrics).entrySet()) {
                if (shown == METRICS_SHOWN) {
                    sb.append(" (+").append(metrics.size() - shown).append(')');
                    break;
                }
                sb.append(shown == 0 ? " " : ", ").append(m.getKey()).append(' ').append(number(m.getValue()));
                shown++;
            }
        }
        Map<String, String> families = states.get(device);
        if (families != null) {
            new java.util.TreeMap<>(families).entrySet().stream().limit(FAMILIES_SHOWN)
                    .forEach(f -> sb.append("; ").append(f.getKey()).append(' ').append(f.getValue()));
        }
        return sb.toString();
    }

    /** Every device of the gateway, in profile order. */
    String all(Map<String, DeviceStatus> statuses) {
        Map<String, String> parts = new LinkedHashMap<>();
        statuses.forEach((id, st) -> parts.put(id, of(id, st)));
        return String.join(" | ", parts.values());
    }

    private static String number(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double x = ((Number) v).doubleValue();
            return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : String.format(Locale.ROOT, "%.2f", x);
        }
        return String.valueOf(v);
    }
}
