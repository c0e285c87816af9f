package org.streetgate.kiosk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The long-horizon bound on guessing: at most {@code max} wrong attempts in any {@code window}
 * (default 30 in 24 h) at one kiosk, for one kind of secret. Once they are used up, nothing is
 * checked until the oldest of them is older than the window, or the platform clears the budget. The
 * per-minute {@link AttemptLimiter} stops a fast guesser; this stops a patient one (one guess every
 * 15 s never trips 5 a minute, and would be 5,760 guesses a day). A right answer does not give
 * budget back: a person with one real code must not be able to reset it.
 *
 * <p>Thread-safe; wall-clock milliseconds are injected so the failures can be kept in
 * {@code kiosk.db}. A failure stamped in the future (the clock was stepped back) counts as now.
 */
public final class GuessBudget {
    /**
     * @param max    wrong attempts allowed within {@code window}
     * @param window how far back they count
     */
    public record Settings(int max, Duration window) {
        public Settings {
            if (max < 1) {
                throw new IllegalArgumentException("budget max must be at least 1");
            }
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("budget window must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(30, Duration.ofHours(24));
        }
    }

    private final int max;
    private final long windowMillis;
    private final LongSupplier millis;
    private final List<Long> failures = new ArrayList<>();

    public GuessBudget(Settings settings, LongSupplier millis, List<Long> failures) {
        this.max = settings.max();
        this.windowMillis = settings.window().toMillis();
        this.millis = millis;
        this.failures.addAll(failures);
        this.failures.sort(null);
    }

    /** Seconds until an attempt may be checked again, or 0 when the budget is not used up. */
    public synchronized long suspendedForSeconds() {
        long now = prune();
        if (failures.size() < max) {
            return 0;
        }
        long until = failures.get(failures.size() - max) + windowMillis;
        return Math.max(1, (until - now + 999) / 1000);
    }

    /** Records a wrong attempt; true when it used up the budget (the one moment to raise the alarm). */
    public synchronized boolean failure() {
        long now = prune();
        failures.add(now);
        return failures.size() == max;
    }

    /** Wrong attempts that count now. */
    public synchronized int used() {
        prune();
        return failures.size();
    }

    /** The platform cleared the suspension: the budget is whole again. */
    public synchronized void clear() {
        failures.clear();
    }

    /** The failures that still count, oldest first, for {@code kiosk.db}. */
    public synchronized List<Long> failures() {
        prune();
        return List.copyOf(failures);
    }

    private long prune() {
        long now = millis.getAsLong();
        failures.replaceAll(t -> Math.min(t, now));
        failures.removeIf(t -> now - t >= windowMillis);
        return now;
    }
}
