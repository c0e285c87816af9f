package org.streetgate.drivers.spi;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Capped exponential backoff with full jitter, for reconnect loops. */
public final class Backoff {
    private final Duration min;
    private final Duration max;
    private int attempt;

    public Backoff(Duration min, Duration max) {
        this.min = min;
        this.max = max;
    }

    /** The next wait: uniformly random between 0 and min * 2^attempt, capped at max. */
    public Duration next() {
        long cap = max.toMillis();
        long ceiling = Math.min(cap, min.toMillis() << Math.min(attempt, 30));
        attempt++;
        return Duration.ofMillis(Math.max(min.toMillis() / 2, ThreadLocalRandom.current().nextLong(ceiling + 1)));
    }

    public void reset() {
        attempt = 0;
    }
}
