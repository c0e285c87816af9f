package org.streetgate.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Subscriber;

/**
 * Installs the Debian package on this machine (CI runs as root), as a technician would: dpkg -i,
 * validate and a short simulated run as the service user from the installed layout, an upgrade by a
 * second build that keeps the data and the edited profile, remove, purge. This Debian release has
 * no Java 21 package, so the Java dependency is met by a small local package made here that
 * Provides java21-runtime-headless and links the JDK running this test into /usr/lib/jvm, where
 * the launcher looks (docs/install.md). Everything is purged afterwards, also on failure.
 */
class PackageInstallIT {
    static final String JAVA_PACKAGE = "streetgate-ci-java21";

    record Result(int code, String out) {}

    static Result exec(Duration limit, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String ok(String... command) throws IOException, InterruptedException {
        Result r = exec(Duration.ofMinutes(3), command);
        assertEquals(0, r.code(), String.join(" ", command) + "\n" + r.out());
        return r.out();
    }

    static boolean installed(String pkg) throws IOException, InterruptedException {
        Result r = exec(Duration.ofSeconds(30), "dpkg-query", "-W", "-f=${Status}", pkg);
        return r.code() == 0 && r.out().contains("installed") && !r.out().contains("not-installed");
    }

    @Test
    void installValidateRunUpgradeRemovePurge(@TempDir Path tmp) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the install test needs root (dpkg -i); CI runs as root, a developer's build skips it");
        assumeTrue(DebPackageIT.onPath("dpkg") && DebPackageIT.onPath("dpkg-deb"), "dpkg is not installed");
        assumeTrue(!installed("streetgate"), "streetgate is already installed on this machine: not touching it");

        Path jdk = Path.of(System.getProperty("java.home")).toRealPath();
        // The package a board gets plus this machine's own natives, so it runs here.
        String natives = "linux-aarch64,linux-armv7,linux-x86_64";
        Path first = DebPackageIT.buildDeb(tmp.resolve("v1"), "0.0.1~ci1", natives);
        Path second = DebPackageIT.buildDeb(tmp.resolve("v2"), "0.0.1~ci2", natives);
        Path javaDeb = javaRuntimePackage(tmp, jdk);
        Process gateway = null;
        try (Mosquitto broker = Mosquitto.start(Files.createDirectories(tmp.resolve("broker")))) {
            // Without the Java package the dependency is refused: the Depends line is real.
            Result refused = exec(Duration.ofMinutes(2), "dpkg", "-i", first.toString());
            assertTrue(refused.code() != 0 && refused.out().contains("java21-runtime-headless"), refused.out());
            ok("dpkg", "-P", "streetgate");

            ok("dpkg", "-i", javaDeb.toString());
            ok("dpkg", "-i", first.toString());
            assertTrue(installed("streetgate"));
            String id = ok("id", "streetgate");
            assertTrue(id.contains("(dialout)"), id);
            assertEquals("streetgate", Files.getOwner(Path.of("/var/lib/streetgate")).getName());
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/etc/streetgate/profile.yaml"))));
            assertTrue(Files.exists(Path.of("/etc/systemd/system/multi-user.target.wants/streetgate.service"), LinkOption.NOFOLLOW_LINKS),
                    "the unit is enabled");
            if (DebPackageIT.onPath("systemd-analyze")) {
                Result verify = exec(Duration.ofMinutes(1), "systemd-analyze", "verify", "/lib/systemd/system/streetgate.service");
                assertEquals(0, verify.code(), verify.out());
            }

            // What the unit runs, as the service user: the boot check, then a short simulated run.
            ok("runuser", "-u", "streetgate", "--", "/usr/bin/streetgate", "validate", "/etc/streetgate/profile.yaml");
            ok("runuser", "-u", "streetgate", "--", "/usr/bin/streetgate", "boot-check", "--profile", "/etc/streetgate/profile.yaml");
            Path ciProfile = Path.of("/etc/streetgate/ci-profile.yaml");
            Files.writeString(ciProfile, localBroker(Files.readString(Path.of("/etc/streetgate/profile.yaml")), broker.uri()));
            ok("chgrp", "streetgate", ciProfile.toString());
            ok("chmod", "0640", ciProfile.toString());
            try (Subscriber sub = new Subscriber(broker.uri(), "sg/v1/#")) {
                gateway = new ProcessBuilder("runuser", "-u", "streetgate", "--", "/usr/bin/streetgate", "run",
                        "--profile", ciProfile.toString(), "--data-dir", "/var/lib/streetgate", "--simulate")
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("gateway.log").toFile()).start();
                Subscriber.Received reading = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (reading == null && System.nanoTime() < deadline) {
                    Subscriber.Received r = sub.poll(Duration.ofSeconds(5));
                    if (r != null && r.topic().contains("pole-0042") && r.raw().contains("\"metrics\"")) {
                        reading = r;
                    }
                }
                assertNotNull(reading, "no reading published by the installed gateway:\n" + Files.readString(tmp.resolve("gateway.log")));
            } finally {
                stop(gateway);
                gateway = null;
            }
            assertEquals("streetgate", Files.getOwner(Path.of("/var/lib/streetgate/outbox.db")).getName());

            // Upgrade: the technician's profile edit and the data stay.
            Files.writeString(Path.of("/etc/streetgate/profile.yaml"), "# edited on site\n", StandardOpenOption.APPEND);
            Files.writeString(Path.of("/var/lib/streetgate/keep.txt"), "data");
            ok("dpkg", "-i", "--force-confold", second.toString());
            assertTrue(ok("dpkg-query", "-W", "-f=${Version}", "streetgate").equals("0.0.1~ci2"));
            assertTrue(Files.readString(Path.of("/etc/streetgate/profile.yaml")).endsWith("# edited on site\n"));
            assertTrue(Files.exists(Path.of("/var/lib/streetgate/keep.txt")));
            assertTrue(Files.exists(Path.of("/var/lib/streetgate/outbox.db")));

            ok("dpkg", "-r", "streetgate");
            assertFalse(Files.exists(Path.of("/usr/share/streetgate/bin/streetgate")));
            assertTrue(Files.exists(Path.of("/var/lib/streetgate/keep.txt")), "remove keeps the data");
            assertTrue(Files.exists(Path.of("/etc/streetgate/profile.yaml")), "remove keeps the profile");
            ok("dpkg", "-P", "streetgate");
            List<String> left = new ArrayList<>();
            for (String p : List.of("/var/lib/streetgate", "/etc/streetgate", "/usr/share/streetgate", "/usr/bin/streetgate",
                    "/lib/systemd/system/streetgate.service", "/etc/systemd/system/multi-user.target.wants/streetgate.service")) {
                if (Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS)) {
                    left.add(p);
                }
            }
            assertEquals(List.of(), left, "left after purge");
        } finally {
            stop(gateway);
            exec(Duration.ofMinutes(2), "dpkg", "-P", "streetgate");
            exec(Duration.ofMinutes(2), "dpkg", "-P", JAVA_PACKAGE);
        }
    }

    /** The installed profile pointed at the test's Mosquitto: plain TCP, no password or CA. */
    static String localBroker(String profile, String uri) {
        StringBuilder out = new StringBuilder();
        for (String line : profile.split("\n", -1)) {
            String t = line.strip();
            if (t.startsWith("url: ssl://")) {
                out.append("  url: ").append(uri).append('\n');
            } else if (!(t.startsWith("username:") || t.startsWith("password-file:") || t.startsWith("tls:"))) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** A package that provides the virtual Java 21 runtime and points /usr/lib/jvm at the JDK found. */
    static Path javaRuntimePackage(Path tmp, Path javaHome) throws IOException, InterruptedException {
        Path root = tmp.resolve("java-package");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.createDirectories(root.resolve("usr/lib/jvm"));
        Files.createSymbolicLink(root.resolve("usr/lib/jvm/" + JAVA_PACKAGE), javaHome);
        Files.writeString(root.resolve("DEBIAN/control"), """
                Package: %s
                Version: 1
                Architecture: all
                Maintainer: StreetGate CI <ci@localhost>
                Provides: java21-runtime-headless
                Description: the JDK at %s, standing in for a Java 21 runtime package (CI only)
                """.formatted(JAVA_PACKAGE, javaHome));
        Path deb = tmp.resolve(JAVA_PACKAGE + ".deb");
        ok("dpkg-deb", "--root-owner-group", "--build", root.toString(), deb.toString());
        return deb;
    }

    static void stop(Process gateway) throws InterruptedException {
        if (gateway == null) {
            return;
        }
        // runuser passes SIGTERM on to the gateway, which stops cleanly; then make sure nothing runs.
        List<ProcessHandle> java = gateway.descendants().toList();
        gateway.destroy();
        if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
            gateway.destroyForcibly();
            gateway.waitFor(10, TimeUnit.SECONDS);
        }
        java.forEach(ProcessHandle::destroyForcibly);
    }
}
