package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GuessBudgetTest {
    private final AtomicLong now = new AtomicLong(1_764_330_000_000L);
    private final GuessBudget budget = new GuessBudget(GuessBudget.Settings.defaults(), now::get, List.of());

    private void advance(Duration d) {
        now.addAndGet(d.toMillis());
    }

    @Test
    void the_thirtieth_wrong_attempt_in_a_day_suspends_even_at_one_every_15_s() {
        for (int i = 1; i < 30; i++) {
            assertFalse(budget.failure(), "attempt " + i);
            assertEquals(0, budget.suspendedForSeconds(), "attempt " + i);
            advance(Duration.ofSeconds(15));
        }
        assertTrue(budget.failure(), "the 30th uses the budget up");
        // The first failure was 29 x 15 s ago; it counts until 24 h after it.
        assertEquals(Duration.ofHours(24).minusSeconds(29 * 15).toSeconds(), budget.suspendedForSeconds());
    }

    @Test
    void the_suspension_ends_when_the_oldest_failure_is_a_day_old() {
        for (int i = 0; i < 30; i++) {
            budget.failure();
            advance(Duration.ofMinutes(1));
        }
        advance(Duration.ofHours(24).minusMinutes(30).minusSeconds(1));
        assertEquals(1, budget.suspendedForSeconds());
        advance(Duration.ofSeconds(1));
        assertEquals(0, budget.suspendedForSeconds());
        assertEquals(29, budget.used());
        assertTrue(budget.failure(), "one more guess, then suspended again");
        assertTrue(budget.suspendedForSeconds() > 0);
    }

    @Test
    void over_three_days_at_most_ninety_guesses_get_through() {
        int guesses = 0;
        long end = now.get() + Duration.ofDays(3).toMillis();
        while (now.get() < end) {
            long s = budget.suspendedForSeconds();
            if (s > 0) {
                advance(Duration.ofSeconds(s));
                continue;
            }
            budget.failure();
            guesses++;
            advance(Duration.ofSeconds(15));
        }
        assertEquals(90, guesses);
    }

    @Test
    void clear_makes_it_whole_and_failures_reload_from_their_times() {
        for (int i = 0; i < 30; i++) {
            budget.failure();
        }
        GuessBudget reopened = new GuessBudget(GuessBudget.Settings.defaults(), now::get, budget.failures());
        assertTrue(reopened.suspendedForSeconds() > 0);
        reopened.clear();
        assertEquals(0, reopened.suspendedForSeconds());
        assertEquals(0, reopened.used());
    }

    @Test
    void a_failure_stamped_in_the_future_counts_as_now() {
        GuessBudget b = new GuessBudget(new GuessBudget.Settings(1, Duration.ofHours(24)), now::get,
                List.of(now.get() + Duration.ofDays(10).toMillis()));
        assertEquals(Duration.ofHours(24).toSeconds(), b.suspendedForSeconds());
    }
}
