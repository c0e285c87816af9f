package org.streetgate.kiosk;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Limits wrong guesses at the screen: after {@code max} failures within {@code window}, nothing is
 * checked until a cool-down has passed. Each lock-out in a row doubles the cool-down, up to
 * {@code maxCoolDown}; a success clears the history. With 5 per minute and doubling, guessing one
 * 6-digit code takes years rather than days. One limiter guards one kind of secret on one kiosk (a
 * screen serves one person at a time, so there is nothing finer to key on).
 *
 * <p>Thread-safe. The clock is monotonic nanoseconds, injectable for tests.
 */
public final class AttemptLimiter {
    private final int max;
    private final long windowNanos;
    private final long coolDownNanos;
    private final long maxCoolDownNanos;
    private final LongSupplier nanos;
    private final ArrayDeque<Long> failures = new ArrayDeque<>();
    private long lockedUntil;
    private boolean locked;
    private int lockouts;

    public AttemptLimiter(Settings settings, LongSupplier nanos) {
        this.max = settings.max();
        this.windowNanos = settings.window().toNanos();
        this.coolDownNanos = settings.coolDown().toNanos();
        this.maxCoolDownNanos = settings.maxCoolDown().toNanos();
        this.nanos = nanos;
    }

    /**
     * @param max         wrong attempts allowed within {@code window}
     * @param coolDown    the first lock-out's length
     * @param maxCoolDown the longest lock-out (cool-downs double up to it)
     */
    public record Settings(int max, Duration window, Duration coolDown, Duration maxCoolDown) {
        public Settings {
            if (max < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1");
            }
            if (window.isNegative() || window.isZero() || coolDown.isNegative() || maxCoolDown.compareTo(coolDown) < 0) {
                throw new IllegalArgumentException("window must be positive and max-cool-down at least cool-down");
            }
        }

        public static Settings defaults() {
            return new Settings(5, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(15));
        }
    }

    /** Seconds left of the current lock-out, or 0 when an attempt may be checked now. */
    public synchronized long lockedForSeconds() {
        long now = nanos.getAsLong();
        if (!locked || now - lockedUntil >= 0) {
            locked = false;
            return 0;
        }
        return Math.max(1, (lockedUntil - now + 999_999_999L) / 1_000_000_000L);
    }

    /**
     * Records a wrong attempt. Returns the seconds of the lock-out it started, or 0 when the person may
     * try again at once.
     */
    public synchronized long failure() {
        long now = nanos.getAsLong();
        while (!failures.isEmpty() && now - failures.peekFirst() >= windowNanos) {
            failures.removeFirst();
        }
        failures.addLast(now);
        if (failures.size() < max) {
            return 0;
        }
        failures.clear();
        long coolDown = coolDownNanos << Math.min(lockouts, 20);
        if (coolDown <= 0 || coolDown > maxCoolDownNanos) {
            coolDown = maxCoolDownNanos;
        }
        lockouts++;
        locked = true;
        lockedUntil = now + coolDown;
        return lockedForSeconds();
    }

    /** A right answer: forget the wrong ones and the escalation. */
    public synchronized void success() {
        failures.clear();
        lockouts = 0;
    }
}
