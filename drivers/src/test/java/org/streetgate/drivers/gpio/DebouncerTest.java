package org.streetgate.drivers.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DebouncerTest {
    private static final long MS = 1_000_000;

    @Test
    void a_level_that_holds_for_the_debounce_time_becomes_stable() {
        Debouncer d = new Debouncer(Duration.ofMillis(50), false);
        d.edge(true, 0);
        assertNull(d.settle(49 * MS));
        assertEquals(1 * MS, d.nanosUntilSettled(49 * MS));
        assertEquals(Boolean.TRUE, d.settle(50 * MS));
        assertEquals(true, d.stable());
        assertEquals(-1, d.nanosUntilSettled(60 * MS));
    }

    @Test
    void contact_bounce_gives_one_change_and_is_counted() {
        Debouncer d = new Debouncer(Duration.ofMillis(50), false);
        long t = 0;
        for (boolean level : new boolean[] {true, false, true, false, true}) {
            d.edge(level, t);
            assertNull(d.settle(t + 5 * MS));
            t += 5 * MS;
        }
        assertEquals(Boolean.TRUE, d.settle(t + 50 * MS));
        assertEquals(4, d.bounces());
    }

    @Test
    void a_glitch_back_to_the_stable_level_changes_nothing() {
        Debouncer d = new Debouncer(Duration.ofMillis(50), true);
        d.edge(false, 0);
        d.edge(true, 2 * MS);
        assertNull(d.settle(100 * MS));
        assertEquals(true, d.stable());
        assertEquals(2, d.bounces());
    }
}
