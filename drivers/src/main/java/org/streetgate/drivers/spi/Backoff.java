package org.streetgate.drivers.spi;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter, for reconnect loops. Attempt {@code k} (from 0) has the
 * ceiling {@code min * 2^k}, capped at {@code max}; the wait is uniformly random between 0 and that
 * ceiling, but never shorter than {@code min / 2}: the floor is {@code min / 2}, not 0 (not "full
 * jitter"), so a flapping device or broker is never hammered with near-zero waits. With min 500 ms
 * and max 30 s the ceilings are 500 ms, 1 s, 2 s, 4 s, ... 30 s and every wait is at least 250 ms.
 */
public final class Backoff {
    private final Duration min;
    private final Duration max;
    private final DoubleSupplier random;
    private int attempt;

    /** With the thread's own random source: what production uses. */
    public Backoff(Duration min, Duration max) {
        this(min, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform in [0, 1), e.g. {@code new Random(seed)::nextDouble} in a test */
    public Backoff(Duration min, Duration max, DoubleSupplier random) {
        if (min.isNegative()) {
            throw new IllegalArgumentException("backoff min must not be negative: " + min);
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff max " + max + " is below min " + min);
        }
        this.min = min;
        this.max = max;
        this.random = random;
    }

    /** The next wait: uniformly random in [0, min * 2^attempt] capped at max, raised to at least min / 2. */
    public Duration next() {
        long ceiling = Math.min(max.toMillis(), min.toMillis() << Math.min(attempt, 30));
        attempt++;
        double r = random.getAsDouble();
        if (!(r >= 0 && r < 1)) {
            throw new IllegalStateException("backoff random source gave " + r + ", not a value in [0, 1)");
        }
        long jittered = Math.min(ceiling, (long) (r * (ceiling + 1)));
        return Duration.ofMillis(Math.max(min.toMillis() / 2, jittered));
    }

    public void reset() {
        attempt = 0;
    }
}
