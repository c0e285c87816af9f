package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.slots.InstallRoot;
import org.streetgate.ota.slots.OtaState;
import org.streetgate.ota.slots.OtaState.Phase;
import org.streetgate.ota.util.Faults;
import org.streetgate.ota.util.Hex;

/**
 * kill -9 at every state transition: a subprocess halts at a named fault point, then the boot check
 * and normal restarts must leave exactly one complete release running, and retrying must converge.
 */
class CrashConvergenceIT {
    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void provision() throws IOException {
        f = new Fixture(tmp).provision();
    }

    private void assertHalted(Subprocess.Result r, String fault) {
        assertEquals(Faults.HALT_STATUS, r.exitCode(), r.output());
        assertTrue(r.output().contains("fault point " + fault + ": halting"), r.output());
    }

    /** After a boot check: current names a complete release whose every file matches its manifest. */
    private void assertOneGoodReleaseRunning() throws IOException {
        InstallRoot root = f.installRoot();
        String current = f.current();
        assertTrue(root.isComplete(current), "current names a complete release: " + current);
        Manifest m = root.manifestOf(current);
        for (Manifest.FileEntry file : m.files()) {
            try (InputStream in = Files.newInputStream(root.resolve(current).resolve(file.path()))) {
                assertEquals(file.sha256(), Hex.sha256(in.readAllBytes()), current + "/" + file.path());
            }
        }
        OtaState s = f.state();
        assertNotEquals(Phase.STAGED, s.phase());
        if (s.phase() == Phase.DOWNLOADING || s.phase() == Phase.VERIFIED) {
            assertNotNull(s.offer(), "only an interrupted offer stays in flight, to be resumed");
        }
        assertEquals(s.onProbation() ? s.trial().release() : s.active(), current, "links agree with the journal");
        try (Stream<Path> staging = Files.list(root.staging())) {
            assertEquals(List.of(), staging.toList(), "staging is emptied");
        }
    }

    private void assertConvergedOn(String version, long counter) throws IOException {
        assertEquals(version, f.currentVersion());
        OtaState s = f.state();
        assertEquals(counter, s.installedCounter());
        assertTrue(!s.onProbation(), "nothing left on trial");
        try (Stream<Path> releases = Files.list(f.installRoot().releases())) {
            List<String> names = releases.map(p -> "releases/" + p.getFileName()).sorted().toList();
            assertTrue(names.contains(f.current()), names.toString());
            assertTrue(names.size() <= 2, "no orphaned releases: " + names);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"journal:VERIFIED", "stage:extracted", "stage:renamed", "journal:STAGED", "journal:TRIAL",
            "link:previous", "link:current"})
    void kill_during_install_converges_after_boot_check(String fault) throws IOException {
        Path bundle = f.bundle("1.1.0", 11, "healthy");
        assertHalted(Subprocess.run(fault, OtaCli.class, "install", bundle.toString(), "--root", f.root.toString(),
                "--trust", f.trust.get(0), "--model", TestBundles.MODEL), fault);

        BootCheck.run(f.root);
        assertOneGoodReleaseRunning();
        if (!f.state().onProbation()) {
            assertEquals("1.0.0", f.currentVersion(), "interrupted before the trial: the old release keeps running");
            f.startRelease();
            try (UpdateAgent a = f.agent()) {
                a.installFile(bundle, false); // the technician simply runs install again
            }
        }
        f.startUntilStable();
        assertOneGoodReleaseRunning();
        assertConvergedOn("1.1.0", 11);
    }

    @ParameterizedTest
    @ValueSource(strings = {"journal:DOWNLOADING", "download:half"})
    void kill_during_download_resumes_the_offer_after_restart(String fault) throws Exception {
        // Big enough that the kill at half way leaves a real partial file to resume.
        byte[] bundle = Files.readAllBytes(TestBundles.bundle(f.work, f.key, "1.1.0", 11,
                TestBundles.payload("1.1.0", "healthy", 2 << 20)));
        try (BundleServer server = new BundleServer(bundle, true)) {
            String sha = Hex.sha256(bundle);
            assertHalted(Subprocess.run(fault, FakeGateway.class, f.root.toString(), f.trust.get(0), "offer",
                    server.url().toString(), sha, String.valueOf(bundle.length), "1.1.0"), fault);
            BootCheck.run(f.root);
            assertOneGoodReleaseRunning();
            assertEquals("1.0.0", f.currentVersion());
            assertEquals(Phase.DOWNLOADING, f.state().phase(), "the offer is remembered");

            // The restarted gateway resumes the download by itself.
            try (UpdateAgent a = f.agent()) {
                a.start();
                f.awaitEvents(OtaEvent.RestartRequired.class, 1, Duration.ofSeconds(30)); // emitted once TRIAL is written
            }
            if (fault.equals("download:half")) {
                assertTrue(server.rangeHeaders.stream().anyMatch(h -> h.startsWith("bytes=")),
                        "resumed with Range: " + server.rangeHeaders);
            }
        }
        assertEquals(Phase.TRIAL, f.state().phase(), f.state().toString());
        f.startUntilStable();
        assertConvergedOn("1.1.0", 11);
    }

    @Test
    void kill_while_counting_a_trial_boot_converges() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
        }
        assertHalted(Subprocess.run("journal:TRIAL", OtaCli.class, "boot-check", "--root", f.root.toString()), "journal:TRIAL");
        BootCheck.run(f.root);
        assertOneGoodReleaseRunning();
        f.startUntilStable();
        assertConvergedOn("1.1.0", 11);
    }

    @Test
    void kill_right_after_commit_still_reports_the_commit_once() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
        }
        BootCheck.run(f.root);
        assertHalted(Subprocess.run("journal:COMMITTED", FakeGateway.class, f.root.toString(), f.trust.get(0), "run"),
                "journal:COMMITTED");
        assertEquals(Phase.COMMITTED, f.state().phase());
        assertTrue(!f.state().reported());
        f.startRelease();
        assertEquals(List.of(new OtaEvent.Committed("1.1.0", 11)), f.events(OtaEvent.Committed.class));
        f.startRelease();
        assertEquals(1, f.events(OtaEvent.Committed.class).size(), "reported exactly once");
        assertConvergedOn("1.1.0", 11);
    }

    @ParameterizedTest
    @ValueSource(strings = {"journal:ROLLED_BACK", "link:previous", "link:current"})
    void kill_during_rollback_converges_on_the_previous_release(String fault) throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "crash"), false);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals("crash", f.startRelease());
        }
        // The fourth boot check rolls back, and is killed doing it.
        assertHalted(Subprocess.run(fault, OtaCli.class, "boot-check", "--root", f.root.toString()), fault);
        BootCheck.run(f.root);
        assertOneGoodReleaseRunning();
        f.startUntilStable();
        assertConvergedOn("1.0.0", 10);
        assertEquals(Phase.ROLLED_BACK, f.state().phase());
        assertEquals(11L, f.state().failedCounter());
        assertEquals(1, f.events(OtaEvent.RolledBack.class).size());
    }
}
