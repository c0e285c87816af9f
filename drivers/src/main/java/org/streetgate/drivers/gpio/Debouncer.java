package org.streetgate.drivers.gpio;

import java.time.Duration;

/**
 * Turns raw level changes into stable ones: a new level counts once it has held for the debounce
 * time with no further edge. Pure logic over the caller's clock, so tests need no sleeping.
 * Not thread-safe: one driver thread feeds and asks it.
 */
public final class Debouncer {
    private final long debounceNanos;
    private boolean stable;
    private Boolean pending;
    private long pendingSince;
    private long edges;
    private long changes;

    public Debouncer(Duration debounce, boolean initial) {
        this.debounceNanos = debounce.toNanos();
        this.stable = initial;
    }

    /** A raw edge to {@code level} at {@code nanos}. */
    public void edge(boolean level, long nanos) {
        edges++;
        pending = level;
        pendingSince = nanos;
    }

    /** Nanoseconds until a pending level settles; -1 when nothing is pending. */
    public long nanosUntilSettled(long nanos) {
        return pending == null ? -1 : Math.max(0, pendingSince + debounceNanos - nanos);
    }

    /**
     * The new stable level if one settled by {@code nanos}, else null. A bounce that came back to
     * the stable level settles to nothing.
     */
    public Boolean settle(long nanos) {
        if (pending == null || nanos - pendingSince < debounceNanos) {
            return null;
        }
        boolean level = pending;
        pending = null;
        if (level == stable) {
            return null;
        }
        stable = level;
        changes++;
        return level;
    }

    public boolean stable() {
        return stable;
    }

    /** Raw edges seen that did not become a change of their own: contact bounce and glitches. */
    public long bounces() {
        return Math.max(0, edges - changes);
    }
}
