package org.streetgate.drivers.spi;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A device's condition as its driver sees it, read by the runtime for {@code health}. Drivers set
 * the state on every change and count what goes wrong (bad frames, timeouts, retries).
 */
public final class DeviceStatus {
    public enum State {
        STARTING, OK, DEGRADED, OFFLINE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Values a device sent that are not measurements (NaN or an infinity in a float register, a raw
     * "skipped" reading, a number outside the quantity's physical range): left out of the reading,
     * never published, and counted here so that health shows them.
     */
    public static final String INVALID_VALUES = "invalid_values";

    public record Snapshot(State state, String lastError, long lastErrorAtMillis, Map<String, Long> counters) {}

    private volatile State state = State.STARTING;
    private volatile String lastError;
    private volatile long lastErrorAt;
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

    public void ok() {
        state = State.OK;
    }

    public void degraded(String error) {
        state = State.DEGRADED;
        error(error);
    }

    public void offline(String error) {
        state = State.OFFLINE;
        error(error);
    }

    /** Remembers an error without changing the state. */
    public void error(String error) {
        lastError = error;
        lastErrorAt = System.currentTimeMillis();
    }

    public void count(String counter) {
        add(counter, 1);
    }

    public void add(String counter, long n) {
        counters.computeIfAbsent(counter, k -> new AtomicLong()).addAndGet(n);
    }

    public long counter(String counter) {
        AtomicLong c = counters.get(counter);
        return c == null ? 0 : c.get();
    }

    public State state() {
        return state;
    }

    public Snapshot snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((k, v) -> copy.put(k, v.get()));
        return new Snapshot(state, lastError, lastErrorAt, copy);
    }
}
