package org.streetgate.drivers.spi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void waits_grow_exponentially_with_full_jitter_and_stay_under_the_cap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        long[] ceilings = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
        for (long ceiling : ceilings) {
            long wait = b.next().toMillis();
            assertTrue(wait >= 50 && wait <= ceiling, "wait " + wait + " within [50, " + ceiling + "]");
        }
    }

    @Test
    void jitter_spreads_gateways_that_lost_the_broker_together() {
        Set<Long> waits = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
            for (int k = 0; k < 5; k++) {
                b.next();
            }
            waits.add(b.next().toMillis());
        }
        assertTrue(waits.size() > 40, "only " + waits.size() + " distinct waits among 50 gateways");
    }

    @Test
    void reset_starts_again_from_the_minimum() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        for (int i = 0; i < 10; i++) {
            b.next();
        }
        b.reset();
        assertTrue(b.next().toMillis() <= 100);
    }
}
