package org.streetgate.kiosk;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Limits wrong guesses at the screen: after {@code max} failures within {@code window}, nothing is
 * checked until a cool-down has passed. Each lock-out in a row doubles the cool-down, up to
 * {@code maxCoolDown}; a success clears the history. With 5 per minute and doubling, guessing one
 * 6-digit code takes years rather than days. One limiter guards one kind of secret on one kiosk (a
 * screen serves one person at a time, so there is nothing finer to key on). A patient guesser who
 * stays under {@code max} per window is bounded by {@link GuessBudget} instead.
 *
 * <p>Thread-safe. The clock is wall-clock milliseconds, injected, so the {@link State} can be kept in
 * {@code kiosk.db} and mean the same after a restart; a clock stepped back never makes a cool-down
 * longer than {@code maxCoolDown}.
 */
public final class AttemptLimiter {
    private final int max;
    private final long windowMillis;
    private final long coolDownMillis;
    private final long maxCoolDownMillis;
    private final LongSupplier millis;
    private final ArrayDeque<Long> failures = new ArrayDeque<>();
    private long lockedUntil;
    private boolean locked;
    private int lockouts;

    /**
     * What to keep across a restart.
     *
     * @param failures    wall-clock millis of the wrong attempts in the current window
     * @param lockedUntil end of the current cool-down, or 0 for none
     * @param lockouts    lock-outs in a row (the escalation)
     */
    public record State(List<Long> failures, long lockedUntil, int lockouts) {
        public State {
            failures = List.copyOf(failures);
        }

        public static final State EMPTY = new State(List.of(), 0, 0);
    }

    public AttemptLimiter(Settings settings, LongSupplier millis) {
        this(settings, millis, State.EMPTY);
    }

    public AttemptLimiter(Settings settings, LongSupplier millis, State state) {
        this.max = settings.max();
        this.windowMillis = settings.window().toMillis();
        this.coolDownMillis = settings.coolDown().toMillis();
        this.maxCoolDownMillis = settings.maxCoolDown().toMillis();
        this.millis = millis;
        failures.addAll(state.failures());
        lockedUntil = state.lockedUntil();
        locked = lockedUntil != 0;
        lockouts = state.lockouts();
    }

    public synchronized State state() {
        return new State(List.copyOf(failures), locked ? lockedUntil : 0, lockouts);
    }

    /** Forgets everything: the platform cleared the lock-out. */
    public synchronized void clear() {
        failures.clear();
        locked = false;
        lockedUntil = 0;
        lockouts = 0;
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
        long now = millis.getAsLong();
        if (!locked || now - lockedUntil >= 0) {
            locked = false;
            return 0;
        }
        if (lockedUntil - now > maxCoolDownMillis) {
            lockedUntil = now + maxCoolDownMillis; // the clock was stepped back
        }
        return Math.max(1, (lockedUntil - now + 999) / 1000);
    }

    /**
     * Records a wrong attempt. Returns the seconds of the lock-out it started, or 0 when the person may
     * try again at once.
     */
    public synchronized long failure() {
        long now = millis.getAsLong();
        while (!failures.isEmpty() && now - failures.peekFirst() >= windowMillis) {
            failures.removeFirst();
        }
        failures.addLast(now);
        if (failures.size() < max) {
            return 0;
        }
        failures.clear();
        long coolDown = coolDownMillis << Math.min(lockouts, 20);
        if (coolDown <= 0 || coolDown > maxCoolDownMillis) {
            coolDown = maxCoolDownMillis;
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
