package org.streetgate.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    private static final long BUILD = 1_790_000_000_000L;

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void without_a_clock_expiry_uses_the_last_time_seen_plus_what_the_monotonic_clock_tells() {
        java.nio.file.Path file = dir.resolve("clock.last");
        AtomicLong wall = new AtomicLong(BUILD + 30L * 86_400_000);   // a month after the build
        AtomicLong boot = new AtomicLong(1_000_000);
        Timestamps before = new Timestamps(wall::get, boot::get, BUILD, o -> { }).inBoot(7);
        before.rememberIn(file, java.time.Duration.ofMinutes(10));
        long seen = wall.get();
        assertEquals(seen, before.expiryNow(), "a plausible clock is the time");

        // The next boot has no network: the wall clock says 1970, the machine has been up 5 minutes.
        wall.set(42_000);
        boot.set(300_000);
        Timestamps offline = new Timestamps(wall::get, boot::get, BUILD, o -> { }).inBoot(8);
        offline.rememberIn(file, java.time.Duration.ofMinutes(10));
        assertFalse(offline.plausible());
        assertEquals(seen + 300_000, offline.expiryNow(), "at least the last time seen plus this boot's uptime");
        long codeExpired = seen - 86_400_000;   // a code that expired the day before the gateway last saw the time
        assertTrue(codeExpired < offline.expiryNow(), "an expired code stays expired");
        assertTrue(offline.expiryNow() <= seen + 300_000 + 1, "and the floor never runs ahead of the real time");

        // Same boot, a restart of the process an hour later: the monotonic clock carries the floor on.
        Timestamps again = new Timestamps(wall::get, () -> 1_000_000 + 3_600_000, BUILD, o -> { }).inBoot(7);
        again.rememberIn(file, java.time.Duration.ofMinutes(10));
        assertEquals(seen + 3_600_000, again.expiryNow(), "the last time seen plus the hour since, in the same boot");

        // A restart within the same boot with a good clock keeps remembering (at most every 10 minutes).
        AtomicLong upAgain = new AtomicLong(1_000_000 + 3_600_000);
        AtomicLong good = new AtomicLong(seen + 3_600_000);
        Timestamps restarted = new Timestamps(good::get, upAgain::get, BUILD, o -> { }).inBoot(7);
        restarted.rememberIn(file, java.time.Duration.ofMinutes(10));
        upAgain.addAndGet(11 * 60_000);
        good.addAndGet(11 * 60_000);
        restarted.check();
        Timestamps later = new Timestamps(() -> 42_000, () -> 100_000, BUILD, o -> { }).inBoot(9);
        later.rememberIn(file, java.time.Duration.ofMinutes(10));
        assertEquals(good.get() + 100_000, later.expiryNow(), "the restarted process saved the newer time");
    }

    @Test
    void with_nothing_remembered_the_build_time_is_the_floor() {
        Timestamps t = new Timestamps(() -> 42_000, () -> 1_000, BUILD, o -> { }).inBoot(1);
        t.rememberIn(dir.resolve("none"), java.time.Duration.ofMinutes(10));
        assertEquals(BUILD, t.expiryNow());
        assertFalse(java.nio.file.Files.exists(dir.resolve("none")), "an implausible clock is never remembered");
    }

    @Test
    void records_before_the_build_time_are_unsynced_and_carry_time_since_boot() {
        AtomicLong wall = new AtomicLong(42_000);          // booted in 1970
        AtomicLong boot = new AtomicLong(42_000);
        List<Long> offsets = new ArrayList<>();
        Timestamps t = new Timestamps(wall::get, boot::get, BUILD, offsets::add);
        Timestamps.Stamp s = t.now();
        assertTrue(s.unsynced());
        assertEquals(42_000, s.sinceBootMs());
        assertFalse(t.plausible());
        assertTrue(offsets.isEmpty());

        // NTP syncs: the clock jumps to a plausible time 10 s after boot.
        boot.set(52_000);
        wall.set(BUILD + 5_000_000);
        Timestamps.Stamp after = t.now();
        assertFalse(after.unsynced());
        assertEquals(BUILD + 5_000_000, after.ts());
        assertEquals(List.of(BUILD + 5_000_000 - 52_000), offsets, "the offset that corrects earlier stamps, once");
        // The earlier record's real time was offset + 42 000 ms since boot = 10 s before the sync.
        assertEquals(BUILD + 5_000_000 - 10_000, offsets.getFirst() + s.sinceBootMs());
        t.now();
        assertEquals(1, offsets.size(), "sync is announced once");
    }

    @Test
    void a_plausible_clock_from_the_start_is_never_marked() {
        List<Long> offsets = new ArrayList<>();
        Timestamps t = new Timestamps(() -> BUILD + 1, () -> 5, BUILD, offsets::add);
        assertFalse(t.now().unsynced());
        assertEquals(1, offsets.size());
    }

    @Test
    void a_periodic_check_notices_the_clock_without_a_record_being_stamped() {
        AtomicLong wall = new AtomicLong(1_000);
        List<Long> offsets = new ArrayList<>();
        Timestamps t = new Timestamps(wall::get, () -> 2_000, BUILD, offsets::add);
        t.check();
        assertTrue(offsets.isEmpty(), "still 1970");
        wall.set(BUILD + 10);
        t.check();
        t.check();
        assertEquals(List.of(BUILD + 10 - 2_000), offsets);
        assertTrue(t.plausible());
    }
}
