package org.streetgate.uplink;

/** Paces messages to at most {@code perSecond}; zero means no limit. */
final class RateLimiter {
    private final long intervalNanos;
    private long next = System.nanoTime();

    RateLimiter(double perSecond) {
        this.intervalNanos = perSecond <= 0 ? 0 : (long) (1e9 / perSecond);
    }

    void acquire() throws InterruptedException {
        if (intervalNanos == 0) {
            return;
        }
        long now = System.nanoTime();
        // A quiet spell earns at most one second of burst, not an unbounded one.
        next = Math.max(next, now - 1_000_000_000L);
        long wait = next - now;
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        next += intervalNanos;
    }
}
