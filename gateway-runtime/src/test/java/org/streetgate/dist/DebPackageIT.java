package org.streetgate.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Debian package as scripts/package builds it for a board, and its systemd unit. */
class DebPackageIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static String run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out);
        return out;
    }

    /** Builds the package from target/dist/lib; returns the .deb. */
    static Path buildDeb(Path out, String version, String natives) throws IOException, InterruptedException {
        String printed = run(REPO, REPO.resolve("scripts/package").toString(), "deb", "--version", version,
                "--natives", natives, "--dist", Path.of("target/dist/lib").toAbsolutePath().toString(), "--out", out.toString());
        String[] lines = printed.strip().split("\n");
        return Path.of(lines[lines.length - 1]);
    }

    @Test
    void aBoardPackageCarriesTheArmNativesOfEachNativeLibraryAndNoOther(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("dpkg-deb"), "dpkg-deb is not installed: the Debian package cannot be built here");
        Path deb = buildDeb(tmp, "0.0.1~test", "linux-aarch64,linux-armv7");
        Path root = tmp.resolve("root");
        run(tmp, "dpkg-deb", "-x", deb.toString(), root.toString());
        List<String> natives = new ArrayList<>();
        try (var jars = Files.list(root.resolve("usr/share/streetgate/lib"))) {
            for (Path jar : jars.sorted().toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    zip.stream().map(e -> e.getName())
                            .filter(n -> n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".dylib") || n.endsWith(".jnilib"))
                            .forEach(n -> natives.add(jar.getFileName().toString().replaceAll("-[0-9].*", "") + " " + n));
                }
            }
        }
        assertEquals(new TreeSet<>(List.of(
                "jSerialComm Linux/armv7hf/libjSerialComm.so",
                "jSerialComm Linux/armv8_32/libjSerialComm.so",
                "jSerialComm Linux/armv8_64/libjSerialComm.so",
                "jna com/sun/jna/linux-aarch64/libjnidispatch.so",
                "jna com/sun/jna/linux-arm/libjnidispatch.so",
                "pi4j-library-gpiod lib/aarch64/pi4j-gpiod/libgpiod.so",
                "pi4j-library-gpiod lib/aarch64/pi4j-gpiod/libpi4j-gpiod.so",
                "pi4j-library-gpiod lib/armhf/pi4j-gpiod/libgpiod.so",
                "pi4j-library-gpiod lib/armhf/pi4j-gpiod/libpi4j-gpiod.so",
                "pi4j-library-linuxfs lib/aarch64/pi4j-linuxfs/libpi4j-linuxfs.so",
                "pi4j-library-linuxfs lib/armhf/pi4j-linuxfs/libpi4j-linuxfs.so",
                "sqlite-jdbc org/sqlite/native/Linux/aarch64/libsqlitejdbc.so",
                "sqlite-jdbc org/sqlite/native/Linux/armv7/libsqlitejdbc.so")), new TreeSet<>(natives));
        String control = run(tmp, "dpkg-deb", "-f", deb.toString(), "Architecture", "Depends");
        assertTrue(control.contains("Architecture: all"), control);
        assertTrue(control.contains("Depends: openjdk-21-jre-headless | java21-runtime-headless"), control);
        assertEquals("/etc/streetgate/profile.yaml\n/etc/streetgate/keys/platform-command.pub\n", conffiles(tmp, deb));
    }

    static String conffiles(Path tmp, Path deb) throws IOException, InterruptedException {
        Path ctrl = tmp.resolve("control");
        run(tmp, "dpkg-deb", "-e", deb.toString(), ctrl.toString());
        return Files.readString(ctrl.resolve("conffiles"));
    }

    @Test
    void theUnitPassesSystemdAnalyzeVerify(@TempDir Path tmp) throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed (apt package systemd)");
        // Verify checks that ExecStart's program exists: point the unit at a stand-in for the launcher.
        Path launcher = tmp.resolve("streetgate");
        Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
        launcher.toFile().setExecutable(true);
        String unit = Files.readString(REPO.resolve("packaging/deb/streetgate.service"))
                .replace("/usr/share/streetgate/bin/streetgate", launcher.toString());
        Path file = tmp.resolve("streetgate.service");
        Files.writeString(file, unit);
        Process p = new ProcessBuilder("systemd-analyze", "verify", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.lines().filter(l -> l.contains("streetgate.service")).reduce("", (a, b) -> a + b + "\n"), out);
    }
}
