package org.streetgate.clock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Stamps records with wall-clock time, and knows when that time cannot be trusted.
 *
 * <p>A Raspberry Pi has no real-time clock: it may boot in 1970 and jump to the right time when
 * NTP syncs. Any wall-clock time before this build was made is impossible, so records stamped then
 * are marked unsynced and also carry milliseconds since boot. When the clock first becomes
 * plausible, {@code onSync} receives the offset (wall time minus time since boot) that turns those
 * boot-relative stamps into real times.
 */
public final class Timestamps {
    /** A record's time: {@code ts} is only trustworthy when {@code unsynced} is false. */
    public record Stamp(long ts, boolean unsynced, long sinceBootMs) {}

    private final LongSupplier wallMillis;
    private final LongSupplier sinceBootMillis;
    private final long notBefore;
    private final LongConsumer onSync;
    private volatile boolean synced;

    /**
     * @param wallMillis      the wall clock (System::currentTimeMillis in production)
     * @param sinceBootMillis a monotonic clock counting from boot, the same across process restarts
     * @param notBefore       the earliest plausible wall-clock time: the build time
     * @param onSync          called once with (wall - sinceBoot) when the clock becomes plausible
     */
    public Timestamps(LongSupplier wallMillis, LongSupplier sinceBootMillis, long notBefore, LongConsumer onSync) {
        this.wallMillis = wallMillis;
        this.sinceBootMillis = sinceBootMillis;
        this.notBefore = notBefore;
        this.onSync = onSync;
    }

    public Stamp now() {
        long wall = wallMillis.getAsLong();
        if (synced) {
            return new Stamp(wall, false, 0);
        }
        long boot = sinceBootMillis.getAsLong();
        if (wall < notBefore) {
            return new Stamp(wall, true, boot);
        }
        sync(wall, boot);
        return new Stamp(wall, false, 0);
    }

    /**
     * Notices a clock that became plausible even when no record is being stamped (a quiet kiosk at
     * night), so that buffered records are corrected before they leave. Called periodically.
     */
    public void check() {
        remember();
        if (!synced) {
            long wall = wallMillis.getAsLong();
            long boot = sinceBootMillis.getAsLong();
            if (wall >= notBefore) {
                sync(wall, boot);
            }
        }
    }

    private synchronized void sync(long wall, long boot) {
        if (!synced) {
            synced = true;
            onSync.accept(wall - boot);
        }
    }

    /** The wall clock as it is, for places that only compare times (command expiry). */
    public long wallNow() {
        return wallMillis.getAsLong();
    }

    /** Keeps the last plausible time across restarts, so that {@link #expiryNow} has a floor. */
    private volatile ClockMemory memory;

    /**
     * Remembers the last plausible time in {@code file} (written at most every {@code every}, to
     * spare the SD card), so a later boot without a clock still knows time has not gone back.
     */
    public void rememberIn(Path file, java.time.Duration every) {
        this.memory = new ClockMemory(file, every.toMillis());
        remember();
    }

    /**
     * A time that is never later than the real time, for expiry checks: the wall clock once it is
     * plausible; before that, the last plausible time this gateway saw plus the time since then as
     * far as the monotonic clock can tell (a Pi that boots offline in 1970 cannot make an expired
     * pickup code work again), and at least the build time.
     */
    public long expiryNow() {
        long wall = wallMillis.getAsLong();
        if (plausible()) {
            return wall;
        }
        ClockMemory m = memory;
        long floor = notBefore;
        if (m != null) {
            floor = Math.max(floor, m.floor(bootIdNow, sinceBootMillis.getAsLong()));
        }
        return Math.max(wall, floor);
    }

    private long bootIdNow;

    /** The boot this process runs in, for {@link #expiryNow}'s floor. */
    public Timestamps inBoot(long bootId) {
        this.bootIdNow = bootId;
        return this;
    }

    private void remember() {
        ClockMemory m = memory;
        if (m != null && plausible()) {
            m.save(wallMillis.getAsLong(), bootIdNow, sinceBootMillis.getAsLong());
        }
    }

    public boolean plausible() {
        return synced || wallMillis.getAsLong() >= notBefore;
    }

    /** Milliseconds since the machine booted, from /proc/uptime, continued by the JVM's monotonic clock. */
    public static LongSupplier sinceBoot() {
        long uptimeMs;
        try {
            String first = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
            uptimeMs = (long) (Double.parseDouble(first) * 1000);
        } catch (IOException | RuntimeException e) {
            uptimeMs = 0; // not Linux: boot-relative stamps are then only valid within this run
        }
        long base = uptimeMs;
        long startNanos = System.nanoTime();
        return () -> base + (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** An id for this boot, so that boot-relative stamps are only ever corrected within their own boot. */
    public static long bootId() {
        try {
            String id = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            java.util.UUID u = java.util.UUID.fromString(id);
            return u.getMostSignificantBits() ^ u.getLeastSignificantBits();
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }
}
