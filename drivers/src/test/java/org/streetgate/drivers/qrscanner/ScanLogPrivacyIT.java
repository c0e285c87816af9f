package org.streetgate.drivers.qrscanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scanned codes may be pickup codes: none may reach a log line, at any level, even when the kiosk's
 * listener fails with the code in its exception. Runs the scanner in a child JVM so tinylog can be
 * set to write everything to a file without touching the other tests' logging.
 */
public class ScanLogPrivacyIT {
    @TempDir
    Path dir;

    public static String runProbe(Class<?> probe, Path log, String arg) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java,
                "-Dtinylog.writer=file", "-Dtinylog.writer.file=" + log, "-Dtinylog.writer.level=trace",
                "-Dtinylog.writer.format={level}: {message} {exception}",
                "-cp", System.getProperty("java.class.path"), probe.getName(), arg)
                .redirectErrorStream(true).redirectOutput(log.resolveSibling("probe-stdout.txt").toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("probe did not finish");
        }
        assertEquals(0, p.exitValue(), Files.readString(log.resolveSibling("probe-stdout.txt")));
        return Files.readString(log);
    }

    @Test
    void no_scanned_code_appears_in_any_log_line() throws Exception {
        String code = "739451";
        String log = runProbe(ScanLogProbe.class, dir.resolve("scanner.log"), code);

        List<String> lines = log.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("scan of 6 characters")), log);
        assertTrue(lines.stream().anyMatch(l -> l.contains("scan listener failed")), log);
        assertTrue(lines.stream().anyMatch(l -> l.contains("dropped a 60-byte code")), log);
        assertFalse(log.contains(code), "a log line holds the code:\n" + log);
    }
}
