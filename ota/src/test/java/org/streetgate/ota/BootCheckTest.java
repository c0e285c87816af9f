package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.slots.OtaState.Phase;
import org.streetgate.ota.util.Hex;

/** The boot check re-verifies the release it is about to start: an installed release edited later does not boot. */
class BootCheckTest {
    @TempDir
    Path tmp;
    Fixture f;
    String release10;
    String release11;

    /** Factory 0.9, then 1.0 (previous) and 1.1 (current), both committed. */
    @BeforeEach
    void provision() throws IOException {
        f = new Fixture(tmp).provision();
        release10 = f.current();
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
        }
        f.startRelease();
        release11 = f.current();
        assertEquals(release10, f.previous());
        f.events.clear();
    }

    private Path inCurrent(String path) {
        return f.installRoot().resolve(f.current()).resolve(path);
    }

    @Test
    void unmodified_release_boots() {
        BootCheck.Result r = BootCheck.run(f.root);
        assertEquals(release11, r.current());
        assertEquals("running " + release11, r.action());
    }

    @Test
    void committed_release_edited_after_install_falls_back_to_previous_and_is_reported() throws IOException {
        Path jar = inCurrent("bin/app.jar");
        byte[] bytes = Files.readAllBytes(jar);
        bytes[100] ^= 1;
        Files.write(jar, bytes);
        BootCheck.Result r = BootCheck.run(f.root);
        assertEquals(release10, r.current());
        assertEquals(Phase.ROLLED_BACK, f.state().phase());
        assertTrue(f.state().reason().startsWith("release 1.1.0 was modified after install (bin/app.jar: sha256 "),
                f.state().reason());
        assertEquals("1.0.0", f.currentVersion());
        assertEquals("healthy", f.startRelease()); // the restored release boots on probation and confirms
        OtaEvent.RolledBack rb = f.events(OtaEvent.RolledBack.class).get(0);
        assertEquals("1.1.0", rb.failedVersion());
        assertEquals(release10, rb.restoredRelease());
        assertTrue(!f.state().onProbation(), "the restored release confirmed its health");
    }

    @Test
    void jar_dropped_into_a_release_makes_it_fall_back() throws IOException {
        Files.createDirectories(inCurrent("lib"));
        Files.writeString(inCurrent("lib/evil.jar"), "not ours");
        BootCheck.Result r = BootCheck.run(f.root);
        assertEquals(release10, r.current());
        assertTrue(r.action().contains("lib/evil.jar: not listed in the manifest"), r.action());
    }

    @Test
    void file_made_world_writable_makes_the_release_fall_back() throws IOException {
        Files.setPosixFilePermissions(inCurrent("bin/start.sh"), PosixFilePermissions.fromString("rwxr-xrwx"));
        BootCheck.Result r = BootCheck.run(f.root);
        assertEquals(release10, r.current());
        assertTrue(r.action().contains("bin/start.sh: mode 0757 differs from the installed 0755"), r.action());
    }

    @Test
    void trial_release_edited_before_its_first_boot_is_rolled_back_without_starting() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.2.0", 12, "healthy"), false);
        }
        Files.writeString(inCurrent("conf/behaviour"), "healthy\n# and something else");
        BootCheck.Result r = BootCheck.run(f.root);
        assertEquals(release11, r.current());
        assertEquals(Phase.ROLLED_BACK, f.state().phase());
        assertTrue(f.state().reason().startsWith("release 1.2.0 was modified after install (conf/behaviour: size"),
                f.state().reason());
    }

    @Test
    void when_current_and_previous_are_both_edited_factory_boots() throws IOException {
        Files.writeString(inCurrent("conf/behaviour"), "crash");
        Files.writeString(f.installRoot().resolve(release10).resolve("conf/behaviour"), "crash");
        BootCheck.Result r = BootCheck.run(f.root);
        assertEquals("factory", r.current());
        assertTrue(f.state().reason().contains("then the restored release 1.0.0 was modified after install"), f.state().reason());
    }

    @Test
    void edited_factory_release_is_not_started_at_all() throws IOException {
        Files.writeString(inCurrent("conf/behaviour"), "crash");
        Files.writeString(f.installRoot().resolve(release10).resolve("conf/behaviour"), "crash");
        Files.writeString(f.installRoot().resolve("factory").resolve("conf/behaviour"), "crash");
        OtaException e = assertThrows(OtaException.class, () -> BootCheck.run(f.root));
        assertTrue(e.getMessage().startsWith("the factory release was modified after install (conf/behaviour"), e.getMessage());
    }

    @Test
    void manifest_modes_are_masked_no_group_or_world_write() throws IOException {
        Map<String, byte[]> files = TestBundles.payload("1.2.0", "healthy");
        List<Manifest.FileEntry> entries = new ArrayList<>();
        files.forEach((path, data) -> entries.add(new Manifest.FileEntry(path, Hex.sha256(data), data.length,
                path.endsWith(".sh") ? "0777" : "0666")));
        Manifest m = new Manifest(Manifest.FORMAT, "streetgate", "1.2.0", 12, List.of(TestBundles.MODEL), "1.0.0", entries);
        Path bundle = TestBundles.rawZip(f.work.resolve("modes.sgb"), TestBundles.signedEntries(f.key, m, files));
        try (UpdateAgent a = f.agent()) {
            a.installFile(bundle, false);
        }
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(inCurrent("bin/start.sh"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(inCurrent("conf/behaviour"))));
        assertEquals(Phase.TRIAL, f.state().phase());
        assertEquals(f.current(), BootCheck.run(f.root).current(), "the masked modes are what the boot check expects");
        assertEquals("healthy", Files.readString(inCurrent("conf/behaviour"), StandardCharsets.UTF_8));
    }
}
