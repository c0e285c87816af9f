package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AttemptLimiterTest {
    private final AtomicLong now = new AtomicLong(1_764_330_000_000L); // wall-clock millis
    private final AttemptLimiter limiter = new AttemptLimiter(new AttemptLimiter.Settings(5, Duration.ofMinutes(1),
            Duration.ofMinutes(1), Duration.ofMinutes(15)), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toMillis());
    }

    @Test
    void the_fifth_wrong_code_in_a_minute_starts_a_one_minute_cool_down() {
        for (int i = 0; i < 4; i++) {
            assertEquals(0, limiter.failure());
            advance(Duration.ofSeconds(5));
        }
        assertEquals(60, limiter.failure());
        assertEquals(60, limiter.lockedForSeconds());
        advance(Duration.ofSeconds(59));
        assertEquals(1, limiter.lockedForSeconds());
        advance(Duration.ofSeconds(1));
        assertEquals(0, limiter.lockedForSeconds());
    }

    @Test
    void wrong_codes_spread_over_more_than_the_window_do_not_lock() {
        for (int i = 0; i < 20; i++) {
            assertEquals(0, limiter.failure(), "attempt " + i);
            advance(Duration.ofSeconds(16)); // at most 4 inside any minute
        }
    }

    @Test
    void each_lock_out_in_a_row_doubles_the_cool_down_up_to_the_maximum() {
        long[] expected = {60, 120, 240, 480, 900, 900};
        for (long e : expected) {
            long got = 0;
            for (int i = 0; i < 5; i++) {
                got = limiter.failure();
            }
            assertEquals(e, got);
            advance(Duration.ofSeconds(got));
        }
    }

    @Test
    void a_right_answer_clears_the_history() {
        for (int i = 0; i < 4; i++) {
            limiter.failure();
        }
        limiter.success();
        for (int i = 0; i < 4; i++) {
            assertEquals(0, limiter.failure());
        }
    }

    @Test
    void guessing_a_six_digit_code_at_the_screen_takes_years() {
        // Always-wrong guesses, as fast as the limiter allows, for 30 simulated days.
        long guesses = 0;
        long end = now.get() + Duration.ofDays(30).toMillis();
        while (now.get() < end) {
            long locked = limiter.lockedForSeconds();
            if (locked > 0) {
                advance(Duration.ofSeconds(locked));
                continue;
            }
            limiter.failure();
            guesses++;
            advance(Duration.ofMillis(500));
        }
        // 5 guesses per 15 minutes at worst: 14,400 in 30 days, 1.4 % of a 10^6 space.
        assertEquals(true, guesses <= 30 * 24 * 4 * 5 + 5, "guesses: " + guesses);
    }

    @Test
    void a_lock_out_survives_a_restart_through_its_state() {
        for (int i = 0; i < 5; i++) {
            limiter.failure();
        }
        AttemptLimiter.State saved = limiter.state();
        AttemptLimiter reopened = new AttemptLimiter(AttemptLimiter.Settings.defaults(), now::get, saved);
        assertEquals(60, reopened.lockedForSeconds());
        advance(Duration.ofSeconds(60));
        assertEquals(0, reopened.lockedForSeconds());
        for (int i = 0; i < 4; i++) {
            assertEquals(0, reopened.failure());
        }
        assertEquals(120, reopened.failure(), "the escalation came back too");
    }

    @Test
    void a_clock_stepped_back_never_makes_a_cool_down_longer_than_the_maximum() {
        for (int i = 0; i < 5; i++) {
            limiter.failure();
        }
        advance(Duration.ofDays(-2));
        assertEquals(15 * 60, limiter.lockedForSeconds());
    }

    @Test
    void clear_forgets_the_lock_out_and_the_escalation() {
        for (int i = 0; i < 5; i++) {
            limiter.failure();
        }
        limiter.clear();
        assertEquals(0, limiter.lockedForSeconds());
        for (int i = 0; i < 4; i++) {
            assertEquals(0, limiter.failure());
        }
        assertEquals(60, limiter.failure(), "back to the first cool-down");
    }
}
