package org.streetgate.drivers.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.testing.PermissionProbe;
import org.streetgate.drivers.testing.SocatPty;

/**
 * A serial port the gateway's user may not open: the device must show offline with an error that
 * names the port and the dialout group. Root may open anything, so when the tests run as root the
 * driver runs in a child JVM as user nobody (via setpriv), on a pty made root-only.
 */
class SerialPermissionIT {
    @TempDir
    Path dir;

    @Test
    void permission_denied_names_the_port_and_the_dialout_group() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (SocatPty pty = SocatPty.start(dir, "locked")) {
            Path device = pty.driverEnd().toRealPath();
            Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("rw-------"));
            String output;
            if (isRoot()) {
                assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                        "skipped: running as root and setpriv (util-linux) is missing, so no unprivileged user can be used");
                output = runAsNobody(pty.driverEnd());
            } else {
                assumeTrue(!Files.isReadable(device), "skipped: this user can still read a mode-600 pty it does not own");
                output = runHere(pty.driverEnd());
            }
            assertTrue(output.contains("state=offline"), output);
            String expected = "error=permission denied on serial port " + pty.driverEnd()
                    + ": add the gateway's user to the dialout group";
            assertTrue(output.contains(expected), output);
        }
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-u").start();
        String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return uid.equals("0");
    }

    private static String runHere(Path port) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            PermissionProbe.main(new String[] {port.toString()});
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Copies the classpath somewhere nobody can read it and runs the probe as nobody. */
    private String runAsNobody(Path port) throws Exception {
        Path cp = dir.resolve("cp");
        Files.createDirectories(cp);
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (Class<?> c : new Class<?>[] {PermissionProbe.class, Hardware.class, org.tinylog.Logger.class,
                com.fazecast.jSerialComm.SerialPort.class}) {
            Path src = location(c);
            Path dst = cp.resolve("e" + i++ + (Files.isDirectory(src) ? "" : ".jar"));
            copy(src, dst);
            entries.add(dst.toString());
        }
        makeReadable(dir);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                java, "-cp", String.join(":", entries), PermissionProbe.class.getName(), port.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static void copy(Path src, Path dst) throws IOException {
        if (!Files.isDirectory(src)) {
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void makeReadable(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }
}
