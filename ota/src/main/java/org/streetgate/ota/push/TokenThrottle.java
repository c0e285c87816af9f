package org.streetgate.ota.push;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * Slows down token guessing: after {@code maxWrong} wrong tokens within {@code window} the endpoint
 * answers nothing but 429 for {@code lockout}, doubled at each further lock-out up to {@code maxLockout};
 * a right token resets it. One throttle for the whole endpoint, not per client address: behind an SSH
 * tunnel every client is 127.0.0.1. Time is a monotonic clock passed in.
 */
final class TokenThrottle {
    private final int maxWrong;
    private final long windowNanos;
    private final long lockoutNanos;
    private final long maxLockoutNanos;
    private final LongSupplier clock;
    private final Deque<Long> wrong = new ArrayDeque<>();
    private int lockouts;
    private long lockedUntil;
    private boolean locked;

    TokenThrottle(int maxWrong, Duration window, Duration lockout, Duration maxLockout, LongSupplier clock) {
        this.maxWrong = maxWrong;
        this.windowNanos = window.toNanos();
        this.lockoutNanos = lockout.toNanos();
        this.maxLockoutNanos = maxLockout.toNanos();
        this.clock = clock;
    }

    /** Remaining lock-out, or 0 when tokens are being checked. */
    synchronized long lockedForNanos() {
        if (!locked) {
            return 0;
        }
        long left = lockedUntil - clock.getAsLong();
        if (left <= 0) {
            locked = false;
            return 0;
        }
        return left;
    }

    synchronized void failure() {
        long now = clock.getAsLong();
        while (!wrong.isEmpty() && now - wrong.peekFirst() > windowNanos) {
            wrong.removeFirst();
        }
        wrong.addLast(now);
        if (wrong.size() >= maxWrong) {
            long d = lockoutNanos << Math.min(lockouts, 20);
            lockedUntil = now + Math.min(d < 0 ? Long.MAX_VALUE : d, maxLockoutNanos);
            locked = true;
            lockouts++;
            wrong.clear();
        }
    }

    synchronized void success() {
        wrong.clear();
        lockouts = 0;
    }
}
