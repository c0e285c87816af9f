package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A sleep in a test decides nothing reliably: too short on a loaded CI machine, wasted time elsewhere.
 * Tests wait on a signal instead (an event, a counter such as DirectoryWatch.scans(), a latch) or
 * inject time.
 */
class NoSleepInTestsTest {
    @Test
    void ota_tests_never_sleep() throws IOException {
        Path src = Path.of("src/test/java");
        assertTrue(Files.isDirectory(src), "run from the ota module directory");
        String needle = "Thread." + "sleep"; // split so this file does not match itself
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains(needle)) {
                        hits.add(src.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertEquals(List.of(), hits);
    }
}
