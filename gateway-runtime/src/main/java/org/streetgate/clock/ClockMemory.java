package org.streetgate.clock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.tinylog.Logger;

/**
 * The last plausible wall-clock time, with the boot and the time since boot it was read at, in a
 * small file: {@code <wall ms> <boot id> <since boot ms>}. From it a later start without a clock
 * gets a lower bound of the real time.
 */
final class ClockMemory {
    private final Path file;
    private final long everyMillis;
    private long wall;
    private long boot;
    private long sinceBoot;
    private boolean known;

    ClockMemory(Path file, long everyMillis) {
        this.file = file;
        this.everyMillis = everyMillis;
        try {
            String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            wall = Long.parseLong(f[0]);
            boot = Long.parseLong(f[1]);
            sinceBoot = Long.parseLong(f[2]);
            known = true;
        } catch (IOException | RuntimeException e) {
            known = false; // first start, or a damaged file: the build time is the floor
        }
    }

    /** The real time is at least this. */
    synchronized long floor(long bootNow, long sinceBootNow) {
        if (!known) {
            return Long.MIN_VALUE;
        }
        // Same boot: the monotonic clock says how much time passed. Another boot: at least the
        // uptime of this one has passed since, and the gap between the boots is unknown but >= 0.
        return bootNow == boot && sinceBootNow >= sinceBoot ? wall + (sinceBootNow - sinceBoot) : wall + sinceBootNow;
    }

    synchronized void save(long wallNow, long bootNow, long sinceBootNow) {
        // The last save is the one in the file: within the same boot, save again only after everyMillis.
        if (known && bootNow == boot && sinceBootNow - sinceBoot < everyMillis) {
            return;
        }
        wall = wallNow;
        boot = bootNow;
        sinceBoot = sinceBootNow;
        known = true;
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, wallNow + " " + bootNow + " " + sinceBootNow + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Logger.debug("clock: cannot remember the time in {}: {}", file, e.getMessage());
        }
    }
}
