package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The technician workflow end to end through OtaCli.run, as {@code ./streetgate ota ...} calls it. */
class OtaCliTest {
    @TempDir
    Path tmp;

    private record Cli(int rc, String out, String err) {
    }

    private static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = OtaCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path payload(String version) throws IOException {
        return TestBundles.writeDir(Files.createDirectories(tmp.resolve("payload-" + version)), TestBundles.payload(version, "healthy"));
    }

    @Test
    void keygen_sign_verify_inspect_install_and_boot_check_work_together() throws IOException {
        Cli keygen = cli("keygen", "--out", tmp.resolve("release").toString());
        assertEquals(0, keygen.rc(), keygen.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("release.key"))));
        String pub = tmp.resolve("release.pub").toString();

        Path factory = tmp.resolve("factory.sgb");
        assertEquals(0, cli("sign", payload("0.9.0").toString(), "--key", tmp.resolve("release.key").toString(),
                "--version", "0.9.0", "--counter", "1", "--model", "kiosk", "--out", factory.toString()).rc());
        Path update = tmp.resolve("update.sgb");
        Cli sign = cli("sign", payload("1.0.0").toString(), "--key", tmp.resolve("release.key").toString(),
                "--version", "1.0.0", "--counter", "10", "--model", "kiosk", "--model", "sensor-pole", "--out", update.toString());
        assertEquals(0, sign.rc(), sign.err());
        assertTrue(sign.out().contains("3 files"), sign.out());

        Cli verify = cli("verify", update.toString(), "--trust", pub, "--model", "kiosk");
        assertEquals(0, verify.rc(), verify.err());
        assertTrue(verify.out().startsWith("OK ") && verify.out().contains("release counter 10"), verify.out());

        Cli inspect = cli("inspect", update.toString());
        assertEquals(0, inspect.rc());
        assertTrue(inspect.out().contains("compatible:      kiosk, sensor-pole"), inspect.out());
        assertTrue(inspect.out().contains("0755") && inspect.out().contains("bin/start.sh"), inspect.out());

        Path root = tmp.resolve("opt");
        assertEquals(0, cli("install", factory.toString(), "--factory", "--root", root.toString(), "--model", "kiosk", "--trust", pub).rc());
        Cli install = cli("install", update.toString(), "--root", root.toString(), "--trust", pub);
        assertEquals(0, install.rc(), install.err());
        assertTrue(install.out().contains("installed 1.0.0 (release counter 10) as a trial"), install.out());

        Cli boot = cli("boot-check", "--root", root.toString());
        assertEquals(0, boot.rc(), boot.err());
        assertTrue(boot.out().contains("trial boot of 1.0.0") && boot.out().contains("attempt 1 of 3"), boot.out());
        Cli status = cli("status", "--root", root.toString());
        assertTrue(status.out().contains("state:             trial"), status.out());
        assertTrue(status.out().contains("2 of 3 boot attempts left"), status.out());
    }

    @Test
    void tampered_bundle_exits_1_with_a_one_line_reason() throws IOException {
        cli("keygen", "--out", tmp.resolve("k").toString());
        Path b = tmp.resolve("b.sgb");
        cli("sign", payload("1.0.0").toString(), "--key", tmp.resolve("k.key").toString(), "--version", "1.0.0",
                "--counter", "3", "--model", "kiosk", "--out", b.toString());
        byte[] bytes = Files.readAllBytes(b);
        bytes[TestBundles.indexOf(bytes, "echo streetgate".getBytes(StandardCharsets.UTF_8))] ^= 0x20;
        Files.write(b, bytes);
        Cli r = cli("verify", b.toString(), "--trust", tmp.resolve("k.pub").toString());
        assertEquals(1, r.rc());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("ota verify: payload/bin/start.sh: sha256 mismatch (manifest "), r.err());
    }

    @Test
    void bad_arguments_exit_1_and_say_what_is_wrong() {
        Cli unknown = cli("frobnicate");
        assertEquals(1, unknown.rc());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
        Cli noCounter = cli("sign", tmp.toString(), "--key", "k.key", "--version", "1");
        assertEquals(1, noCounter.rc());
        Cli badOption = cli("verify", "x.sgb", "--bogus", "1");
        assertEquals("ota verify: unknown option --bogus for verify\n", badOption.err());
        Cli noModel = cli("install", "x.sgb", "--root", tmp.resolve("empty").toString());
        assertEquals(1, noModel.rc());
        assertTrue(noModel.err().contains("install needs --model"), noModel.err());
        assertEquals(1, cli().rc());
    }

    @Test
    void boot_check_with_nothing_installed_is_a_runtime_failure() {
        Cli r = cli("boot-check", "--root", tmp.resolve("blank").toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("nothing to boot"), r.err());
    }

    @Test
    void sign_refuses_a_payload_with_a_symlink() throws IOException {
        cli("keygen", "--out", tmp.resolve("k").toString());
        Path dir = payload("1.0.0");
        Files.createSymbolicLink(dir.resolve("conf/shadow"), Path.of("/etc/shadow"));
        Cli r = cli("sign", dir.toString(), "--key", tmp.resolve("k.key").toString(), "--version", "1.0.0",
                "--counter", "3", "--model", "kiosk", "--out", tmp.resolve("x.sgb").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("symlinks are not allowed"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.sgb")));
    }

    @Test
    void signing_the_same_payload_twice_gives_identical_bundles() throws IOException {
        cli("keygen", "--out", tmp.resolve("k").toString());
        Path dir = payload("1.0.0");
        for (String name : new String[] {"a.sgb", "b.sgb"}) {
            assertEquals(0, cli("sign", dir.toString(), "--key", tmp.resolve("k.key").toString(), "--version", "1.0.0",
                    "--counter", "3", "--model", "kiosk", "--out", tmp.resolve(name).toString()).rc());
        }
        // Ed25519 is deterministic and the zip carries no timestamps: reproducible bundles.
        assertEquals(-1, Files.mismatch(tmp.resolve("a.sgb"), tmp.resolve("b.sgb")));
    }
}
