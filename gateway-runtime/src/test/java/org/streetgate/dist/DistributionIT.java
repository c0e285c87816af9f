package org.streetgate.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The board distribution (target/dist/lib, what the Debian package ships) against the demo extra
 * (target/dist/demo-lib): no demo weight on a board, a clear refusal when a demo setting meets a
 * board's distribution, and the demo still running from the launcher.
 */
class DistributionIT {
    static final Path DIST = Path.of("target/dist");
    static final List<String> DEMO_PACKAGES = List.of("io/moquette/", "io/netty/", "com/google/zxing/", "com/jcraft/");

    @Test
    void theBoardDistributionCarriesNoDemoBrokerNoRenderingNoJsch() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path jar : jars(DIST.resolve("lib"))) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                zip.stream().map(e -> e.getName()).filter(n -> DEMO_PACKAGES.stream().anyMatch(n::startsWith))
                        .findFirst().ifPresent(n -> found.add(jar.getFileName() + ": " + n));
            }
        }
        assertEquals(List.of(), found, "demo classes in dist/lib");
        List<String> demo = jars(DIST.resolve("demo-lib")).stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(demo.stream().anyMatch(n -> n.startsWith("moquette-broker-")), "demo-lib: " + demo);
        assertTrue(demo.stream().anyMatch(n -> n.startsWith("core-")), "zxing in demo-lib: " + demo);
        assertFalse(demo.stream().anyMatch(n -> n.startsWith("sqlite-jdbc")), "demo-lib holds only the extra: " + demo);
    }

    @Test
    void theEmbeddedBrokerOnABoardDistributionIsRefusedByName(@TempDir Path tmp) throws Exception {
        Process p = new ProcessBuilder(java(), "-cp", DIST.resolve("lib").toAbsolutePath() + "/*",
                "org.streetgate.cli.Main", "run", "--profile", demo("sensor-pole.yaml"), "--data-dir", tmp.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("platform.url: embedded (the in-process demo broker) needs the demo extra (dist/demo-lib)"), out);
        assertFalse(out.contains("NoClassDefFoundError"), out);
    }

    @Test
    void theLauncherAddsTheDemoExtraForADemoProfile(@TempDir Path tmp) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("../streetgate").toAbsolutePath().toString(), "run",
                "--profile", demo("sensor-pole.yaml"), "--data-dir", tmp.toString()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("STREETGATE_DEMO");
        Process p = pb.start();
        try (var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            for (String line; (line = lines.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.contains("running; Ctrl-C stops cleanly")) {
                    return; // started with the embedded broker: the demo extra was on the class path
                }
            }
            throw new AssertionError("the demo did not start:\n" + seen);
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    static String demo(String name) {
        return Path.of("../hardware-profiles/demo", name).toAbsolutePath().toString();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }
}
