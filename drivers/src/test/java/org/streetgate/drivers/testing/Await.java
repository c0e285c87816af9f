package org.streetgate.drivers.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits on a condition with a deadline instead of sleeping a fixed time: the one place in the
 * drivers' tests that sleeps (between checks of a real signal, never to decide a result).
 */
public final class Await {
    /** Long enough for a loaded CI machine; a passing test returns as soon as its signal comes. */
    public static final Duration WAIT = Duration.ofSeconds(5);

    private Await() {}

    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> whatFailed)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toMillis() + " ms: " + whatFailed.get());
            }
            Thread.sleep(10);
        }
    }

    /** Waits up to {@link #WAIT} for {@code condition}, failing with "not within ...: what". */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        until(WAIT, condition, () -> what);
    }

    /**
     * Waits until {@code counter} has grown by at least {@code by} from its value now: e.g. that a
     * device loop has gone round a few more times, so "nothing happened" is a checked fact.
     */
    public static void advance(String what, LongSupplier counter, long by) throws InterruptedException {
        long from = counter.getAsLong();
        until(WAIT, () -> counter.getAsLong() >= from + by,
                () -> what + " did not advance by " + by + " from " + from + " (now " + counter.getAsLong() + ")");
    }
}
