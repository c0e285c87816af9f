package org.streetgate.drivers.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
    /** The largest value a random source in [0, 1) can give: the wait is the ceiling itself. */
    private static final double TOP = Math.nextDown(1.0);

    private static List<Long> waits(Backoff b, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(b.next().toMillis());
        }
        return out;
    }

    @Test
    void ceilings_double_from_the_minimum_until_the_cap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> TOP);
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L), waits(b, 9));
    }

    @Test
    void the_floor_is_half_the_minimum_not_zero() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.0);
        assertEquals(List.of(50L, 50L, 50L, 50L, 50L, 50L, 50L), waits(b, 7));
    }

    @Test
    void the_wait_is_the_random_fraction_of_the_ceiling_above_the_floor() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.25);
        // 0.25 of 101, 201, 401, 801, 1601, 3201, 5001 ms, floored at 50
        assertEquals(List.of(50L, 50L, 100L, 200L, 400L, 800L, 1250L, 1250L), waits(b, 8));
    }

    @Test
    void jitter_spreads_gateways_that_lost_the_broker_together() {
        Random random = new Random(20261201);
        Set<Long> waits = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), random::nextDouble);
            waits(b, 5);
            long w = b.next().toMillis();
            assertTrue(w >= 500 && w <= 32_000, "sixth wait " + w + " within [500, 32000]");
            waits.add(w);
        }
        assertTrue(waits.size() > 40, "only " + waits.size() + " distinct waits among 50 gateways");
    }

    @Test
    void reset_starts_again_from_the_minimum() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> TOP);
        waits(b, 10);
        b.reset();
        assertEquals(List.of(100L, 200L), waits(b, 2));
    }

    @Test
    void the_production_source_stays_between_the_floor_and_the_ceilings() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        long[] ceilings = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
        for (long ceiling : ceilings) {
            long wait = b.next().toMillis();
            assertTrue(wait >= 50 && wait <= ceiling, "wait " + wait + " within [50, " + ceiling + "]");
        }
    }

    @Test
    void bad_bounds_and_a_bad_random_source_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofMillis(-1), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalStateException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), () -> 1.0).next());
    }
}
