package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A Pi has no RTC: it boots in 1970 and jumps when NTP syncs, or never syncs offline. No OTA decision
 * may depend on the wall clock, so the OTA sources must not read it at all (timeouts use
 * System.nanoTime and scheduler delays, which are monotonic). A use that decides nothing is excused
 * with a "wall-clock-ok" comment on or above its line, saying why.
 */
class NoWallClockTest {
    private static final Pattern WALL_CLOCK = Pattern.compile(
            "System\\.currentTimeMillis|Instant\\.now|LocalDate(Time)?\\.now|ZonedDateTime\\.now|OffsetDateTime\\.now"
                    + "|new Date\\(|Clock\\.system|getLastModifiedTime");

    @Test
    void ota_code_never_reads_the_wall_clock() throws IOException {
        Path src = Path.of("src/main/java");
        assertTrue(Files.isDirectory(src), "run from the ota module directory");
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    boolean excused = lines.get(i).contains("wall-clock-ok") || (i > 0 && lines.get(i - 1).contains("wall-clock-ok"));
                    if (WALL_CLOCK.matcher(lines.get(i)).find() && !excused) {
                        hits.add(src.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertEquals(List.of(), hits);
    }
}
