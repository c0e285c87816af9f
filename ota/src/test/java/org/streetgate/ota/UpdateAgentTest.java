package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.BundleException.Reason;
import org.streetgate.ota.slots.Disk;
import org.streetgate.ota.slots.OtaState.Phase;

class UpdateAgentTest {
    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void provision() throws IOException {
        f = new Fixture(tmp).provision();
    }

    @Test
    void provisioning_leaves_release_committed_with_factory_as_previous() {
        assertEquals("1.0.0", f.currentVersion());
        assertEquals("factory", f.previous());
        assertEquals(10, f.state().installedCounter());
        assertTrue(Files.isExecutable(f.installRoot().current().resolve("bin/start.sh")));
    }

    @Test
    void release_older_than_the_factory_release_is_refused() throws IOException {
        Fixture fresh = new Fixture(tmp.resolve("fresh"));
        assertEquals(0, OtaCli.run(new String[] {"install", fresh.bundle("0.9.0", 5, "healthy").toString(), "--factory",
                "--root", fresh.root.toString(), "--model", TestBundles.MODEL, "--trust", fresh.trust.get(0)}, System.out, System.err));
        try (UpdateAgent a = fresh.agent()) {
            assertEquals(Reason.DOWNGRADE, assertThrows(BundleException.class,
                    () -> a.installFile(fresh.bundle("0.8.0", 4, "healthy"), false)).reason());
        }
    }

    @Test
    void install_switches_current_and_previous_and_waits_for_a_restart() throws IOException {
        String before = f.current();
        try (UpdateAgent a = f.agent()) {
            UpdateAgent.StagedRelease r = a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
            assertEquals(r.release(), f.current());
        }
        assertEquals(before, f.previous());
        assertEquals(Phase.TRIAL, f.state().phase());
        assertEquals(3, f.state().trial().attemptsLeft());
        assertEquals(List.of(Phase.VERIFIED, Phase.STAGED, Phase.TRIAL),
                f.events(OtaEvent.Progress.class).stream().map(OtaEvent.Progress::state).toList());
        assertEquals("1.1.0", f.events(OtaEvent.RestartRequired.class).get(0).version());
        assertTrue(Files.list(f.installRoot().staging()).findAny().isEmpty(), "staging is emptied");
    }

    @Test
    void healthy_trial_commits_and_raises_the_installed_counter() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
        }
        assertEquals("healthy", f.startRelease());
        assertEquals(Phase.COMMITTED, f.state().phase());
        assertEquals(11, f.state().installedCounter());
        assertEquals("1.1.0", f.currentVersion());
        assertEquals(List.of(new OtaEvent.Committed("1.1.0", 11)), f.events(OtaEvent.Committed.class));
        assertNull(f.state().trial(), "a committed release is not counted any more");
        f.startRelease();
        assertEquals("1.1.0", f.currentVersion(), "later restarts stay on the committed release");
    }

    @Test
    void confirmation_from_the_old_process_after_staging_does_not_commit_the_new_release() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.start();
            a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
            assertFalse(a.confirmHealthy(), "1.0 is still the running process; it cannot vouch for 1.1");
        }
        assertEquals(Phase.TRIAL, f.state().phase());
    }

    @Test
    void downgraded_bundle_is_refused() throws IOException {
        try (UpdateAgent a = f.agent()) {
            BundleException e = assertThrows(BundleException.class, () -> a.installFile(f.bundle("0.9.5", 9, "healthy"), false));
            assertEquals(Reason.DOWNGRADE, e.reason());
            assertTrue(e.getMessage().contains("lower than the installed 10"), e.getMessage());
            // --reinstall allows an equal counter, never a lower one.
            assertEquals(Reason.DOWNGRADE, assertThrows(BundleException.class,
                    () -> a.installFile(f.bundle("0.9.5", 9, "healthy"), true)).reason());
        }
        assertEquals("1.0.0", f.currentVersion());
        assertEquals(Phase.COMMITTED, f.state().phase());
        assertTrue(f.events(OtaEvent.Failed.class).get(0).refused());
    }

    @Test
    void replayed_bundle_needs_reinstall() throws IOException {
        Path same = f.bundle("1.0.0", 10, "healthy");
        try (UpdateAgent a = f.agent()) {
            assertEquals(Reason.REPLAY, assertThrows(BundleException.class, () -> a.installFile(same, false)).reason());
            assertEquals(Phase.COMMITTED, f.state().phase());
            assertEquals(10, a.installFile(same, true).releaseCounter());
        }
        assertEquals(Phase.TRIAL, f.state().phase());
    }

    @Test
    void bundle_for_another_model_is_refused() throws IOException {
        try (UpdateAgent a = f.agent()) {
            BundleException e = assertThrows(BundleException.class,
                    () -> a.installFile(f.bundle("1.1.0", 11, "healthy", "sensor-pole", "drone-dock"), false));
            assertEquals(Reason.INCOMPATIBLE_MODEL, e.reason());
            assertEquals("bundle 1.1.0 is for models [sensor-pole, drone-dock], this gateway is a kiosk", e.getMessage());
        }
    }

    @Test
    void bundle_needing_a_newer_agent_is_refused() throws IOException {
        Path b = f.bundle("1.1.0", 11, "healthy");
        try (UpdateAgent a = new UpdateAgent(f.root, f.trust, TestBundles.MODEL, "0.9.0", f.events::add)) {
            assertEquals(Reason.AGENT_TOO_OLD, assertThrows(BundleException.class, () -> a.installFile(b, false)).reason());
        }
    }

    @Test
    void bundle_signed_with_a_key_the_gateway_does_not_trust_is_refused_before_anything_changes() throws IOException {
        Path b = TestBundles.bundle(f.work, TestBundles.newKey(), "1.1.0", 11, "healthy");
        String stateBefore = Files.readString(f.installRoot().stateDir().resolve("ota.json"));
        try (UpdateAgent a = f.agent()) {
            assertEquals(Reason.UNKNOWN_KEY, assertThrows(BundleException.class, () -> a.installFile(b, false)).reason());
        }
        assertEquals(stateBefore, Files.readString(f.installRoot().stateDir().resolve("ota.json")));
        assertEquals(1, Files.list(f.installRoot().releases()).count());
    }

    @Test
    void release_that_crashes_at_start_is_rolled_back_after_its_attempts() throws IOException {
        String good = f.current();
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "crash"), false);
        }
        for (int boot = 1; boot <= 3; boot++) {
            assertEquals("crash", f.startRelease(), "boot " + boot + " runs the trial");
        }
        assertEquals("healthy", f.startRelease(), "fourth boot check rolls back");
        assertEquals(good, f.current());
        assertEquals(Phase.ROLLED_BACK, f.state().phase());
        OtaEvent.RolledBack rb = f.events(OtaEvent.RolledBack.class).get(0);
        assertEquals("1.1.0", rb.failedVersion());
        assertEquals(good, rb.restoredRelease());
        assertTrue(rb.reason().contains("did not confirm its health within 3 boot attempts"), rb.reason());
        try (UpdateAgent a = f.agent()) {
            UpdateAgent.Status st = a.status();
            assertEquals("rolled-back", st.state());
            assertEquals(good, st.current());
            assertEquals(10, st.installedCounter());
            assertEquals(rb.reason(), st.lastFailure());
        }
        assertEquals(1, f.events(OtaEvent.RolledBack.class).size(), "reported once");
        f.startRelease();
        assertEquals(1, f.events(OtaEvent.RolledBack.class).size(), "not reported again on the next start");
        assertEquals(10, f.state().installedCounter());
    }

    @Test
    void release_failing_its_health_check_is_rolled_back_with_the_reason() throws IOException {
        String good = f.current();
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "unhealthy"), false);
        }
        assertEquals("unhealthy", f.startRelease());
        assertEquals(1, f.events(OtaEvent.RestartRequired.class).stream().filter(e -> e.release().equals(good)).count());
        assertEquals("healthy", f.startRelease());
        assertEquals(good, f.current());
        String reason = f.events(OtaEvent.RolledBack.class).get(0).reason();
        assertEquals("release 1.1.0 failed its health check: outbox not writable", reason);
        assertFalse(f.state().onProbation(), "the restored release confirmed its health");
    }

    @Test
    void rolled_back_release_offered_again_is_refused_unless_reinstalled() throws IOException {
        Path bad = f.bundle("1.1.0", 11, "unhealthy");
        try (UpdateAgent a = f.agent()) {
            a.installFile(bad, false);
        }
        f.startUntilStable();
        try (UpdateAgent a = f.agent()) {
            BundleException e = assertThrows(BundleException.class, () -> a.installFile(bad, false));
            assertEquals(Reason.PREVIOUSLY_FAILED, e.reason());
            assertEquals(12, a.installFile(f.bundle("1.1.1", 12, "healthy"), false).releaseCounter(), "a fix rolls forward");
        }
    }

    @Test
    void both_releases_broken_falls_back_to_factory() throws IOException {
        // 1.1 commits, but is broken by something outside the bundle; then 1.2 is installed and crashes.
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
        }
        f.startRelease();
        String release11 = f.current();
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.2.0", 12, "crash"), false);
        }
        f.brokenOutside.put(release11, "crash");
        assertEquals("factory", f.startUntilStable());
        assertEquals("0.9.0", f.currentVersion());
        OtaEvent.RolledBack last = f.events(OtaEvent.RolledBack.class).get(f.events(OtaEvent.RolledBack.class).size() - 1);
        assertTrue(last.reason().contains("release 1.2.0 did not confirm"), last.reason());
        assertTrue(last.reason().contains("then the restored release 1.1.0 did not confirm"), last.reason());
        assertTrue(last.reason().endsWith("running the factory release"), last.reason());
    }

    @Test
    void trial_that_never_confirms_fails_at_the_health_deadline() throws Exception {
        f.options = f.options.withHealthDeadline(Duration.ofMillis(300));
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
        }
        BootCheck.run(f.root);
        try (UpdateAgent a = f.agent()) {
            a.start(); // and then hangs: no confirmation
            f.awaitEvents(OtaEvent.Failed.class, 1, Duration.ofSeconds(10));
        }
        assertTrue(f.events(OtaEvent.Failed.class).get(0).reason().contains("health not confirmed within"));
        BootCheck.Result r = BootCheck.run(f.root);
        assertTrue(r.action().startsWith("rolled back to releases/1.0.0"), r.action());
    }

    @Test
    void install_while_a_trial_is_pending_is_busy() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "healthy"), false);
        }
        BootCheck.run(f.root);
        try (UpdateAgent a = f.agent()) {
            BusyException e = assertThrows(BusyException.class, () -> a.installFile(f.bundle("1.2.0", 12, "healthy"), false));
            assertTrue(e.getMessage().contains("is on trial"), e.getMessage());
        }
    }

    @Test
    void disk_full_during_extraction_keeps_the_running_release_and_leaves_no_debris() throws IOException {
        AtomicLong budget = new AtomicLong(1500);
        f.options = f.options.withDisk(new Disk() {
            @Override
            public long usableSpace(Path dir) {
                return Long.MAX_VALUE;
            }

            @Override
            public void beforeWrite(Path file, long bytes) throws IOException {
                if (budget.addAndGet(-bytes) < 0) {
                    throw new IOException("No space left on device");
                }
            }
        });
        String before = f.current();
        try (UpdateAgent a = f.agent()) {
            OtaException e = assertThrows(OtaException.class, () -> a.installFile(f.bundle("1.1.0", 11, "healthy"), false));
            assertTrue(e.getMessage().startsWith("disk full while staging 1.1.0"), e.getMessage());
        }
        assertEquals(before, f.current());
        assertEquals(Phase.COMMITTED, f.state().phase());
        assertTrue(f.state().reason().contains("disk full"));
        assertTrue(Files.list(f.installRoot().staging()).findAny().isEmpty(), "partial extraction removed");
        assertEquals(1, Files.list(f.installRoot().releases()).count());
    }

    @Test
    void too_little_free_space_is_refused_before_extracting() throws IOException {
        f.options = f.options.withDisk(new Disk() {
            @Override
            public long usableSpace(Path dir) {
                return 1024;
            }

            @Override
            public void beforeWrite(Path file, long bytes) {
                throw new AssertionError("nothing may be written");
            }
        });
        try (UpdateAgent a = f.agent()) {
            OtaException e = assertThrows(OtaException.class, () -> a.installFile(f.bundle("1.1.0", 11, "healthy"), false));
            assertTrue(e.getMessage().startsWith("not enough free space to stage 1.1.0"), e.getMessage());
        }
    }

    @Test
    void watched_directory_installs_a_bundle_copied_onto_a_usb_stick() throws Exception {
        Path stick = Files.createDirectories(tmp.resolve("usb"));
        f.options = f.options.withWatchInterval(Duration.ofMillis(50));
        try (UpdateAgent a = f.agent()) {
            a.watchDirectory(stick);
            Files.copy(f.bundle("1.1.0", 11, "healthy"), stick.resolve("update.sgb"));
            Files.copy(TestBundles.bundle(f.work, TestBundles.newKey(), "6.6.6", 66, "healthy"), stick.resolve("stray.sgb"));
            f.awaitEvents(OtaEvent.RestartRequired.class, 1, Duration.ofSeconds(10));
        }
        assertEquals("1.1.0", f.events(OtaEvent.RestartRequired.class).get(0).version());
        assertEquals(Phase.TRIAL, f.state().phase());
        assertEquals("1.1.0", f.currentVersion());
    }

    @Test
    void unknown_key_on_a_usb_stick_is_reported_and_not_retried() throws Exception {
        Path stick = Files.createDirectories(tmp.resolve("usb"));
        f.options = f.options.withWatchInterval(Duration.ofMillis(30));
        try (UpdateAgent a = f.agent()) {
            UpdateAgent.DirectoryWatch watch = a.watchDirectory(stick);
            Path stray = TestBundles.bundle(f.work, TestBundles.newKey(), "6.6.6", 66, "healthy");
            Files.move(stray, stick.resolve("stray.sgb"), StandardCopyOption.ATOMIC_MOVE);
            f.awaitEvents(OtaEvent.Failed.class, 1, Duration.ofSeconds(10));
            // The refusal happened in some scan; five more scans of the unchanged stick must not refuse it again.
            long seen = watch.scans();
            assertTrue(watch.awaitScans(seen + 5, Duration.ofSeconds(10)), "the watcher kept scanning");
        }
        List<OtaEvent.Failed> failed = f.events(OtaEvent.Failed.class);
        assertEquals(1, failed.size(), "refused once, not on every poll");
        assertTrue(failed.get(0).refused());
        assertEquals("1.0.0", f.currentVersion());
    }

    @Test
    void install_while_another_process_holds_the_lock_is_busy() throws IOException {
        Path bundle = f.bundle("1.1.0", 11, "healthy");
        try (var held = org.streetgate.ota.slots.InstallLock.acquire(f.installRoot().lockFile(), Duration.ZERO);
             UpdateAgent a = f.agent()) {
            assertThrows(BusyException.class, () -> a.installFile(bundle, false));
            assertThrows(BusyException.class, () -> a.offer(new Offer(java.net.URI.create("http://127.0.0.1:9/b.sgb"),
                    "a".repeat(64), 10, "1.1.0")));
        }
        assertEquals(Phase.COMMITTED, f.state().phase(), "nothing changed");
        assertEquals(List.of(), f.events(OtaEvent.Failed.class), "busy is an answer, not a failed install");
    }

    @Test
    void unreadable_journal_falls_back_to_its_previous_copy_and_keeps_refusing_downgrades() throws IOException {
        Files.writeString(f.installRoot().stateDir().resolve("ota.json"), "{\"phase\": \"COMMI");
        assertEquals(10, f.state().installedCounter());
        f.installRoot().journal().save(f.state()); // the next transition must not back up the damaged copy
        Files.writeString(f.installRoot().stateDir().resolve("ota.json"), "garbage");
        assertEquals(10, f.state().installedCounter());
        try (UpdateAgent a = f.agent()) {
            assertEquals(Reason.DOWNGRADE, assertThrows(BundleException.class,
                    () -> a.installFile(f.bundle("0.9.5", 9, "healthy"), false)).reason());
        }
    }

    @Test
    void bundle_on_a_usb_stick_waits_while_another_install_holds_the_lock() throws Exception {
        Path stick = Files.createDirectories(tmp.resolve("usb"));
        f.options = f.options.withWatchInterval(Duration.ofMillis(30));
        try (UpdateAgent a = f.agent()) {
            var held = org.streetgate.ota.slots.InstallLock.acquire(f.installRoot().lockFile(), Duration.ZERO);
            UpdateAgent.DirectoryWatch watch = a.watchDirectory(stick);
            Files.copy(f.bundle("1.1.0", 11, "healthy"), stick.resolve("update.sgb"));
            // The watcher tried (found the copy stable) and was told "busy", twice: the signal, not a sleep.
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (watch.deferred() < 2) {
                assertTrue(System.nanoTime() < until, "the watcher never tried the stable bundle");
                watch.awaitScans(watch.scans() + 1, Duration.ofSeconds(10));
            }
            assertEquals(List.of(), f.events(OtaEvent.RestartRequired.class), "nothing installed while busy");
            assertEquals(List.of(), f.events(OtaEvent.Failed.class), "busy is not a refusal");
            held.close();
            f.awaitEvents(OtaEvent.RestartRequired.class, 1, Duration.ofSeconds(10));
        }
        assertEquals("1.1.0", f.currentVersion(), "installed once the lock was free");
        assertEquals(List.of(), f.events(OtaEvent.Failed.class));
    }

    @Test
    void missing_journal_keeps_the_release_counter_of_its_previous_copy() throws IOException {
        Path journal = f.installRoot().stateDir().resolve("ota.json");
        Files.delete(journal); // ota.json.prev still holds counter 10
        assertEquals(10, f.state().installedCounter());
        try (UpdateAgent a = f.agent()) {
            BundleException e = assertThrows(BundleException.class, () -> a.installFile(f.bundle("0.3.0", 3, "healthy"), false));
            assertEquals(Reason.DOWNGRADE, e.reason());
            assertTrue(e.getMessage().contains("lower than the installed 10"), e.getMessage());
        }
        assertEquals("1.0.0", f.currentVersion());
    }

    @Test
    void journal_copy_with_a_lower_counter_never_lowers_the_floor() throws IOException {
        Path journal = f.installRoot().stateDir().resolve("ota.json");
        Path prev = f.installRoot().stateDir().resolve("ota.json.prev");
        Files.writeString(journal, Files.readString(journal).replaceAll("\"installedCounter\" : 10", "\"installedCounter\" : 2"));
        assertTrue(Files.readString(journal).contains("\"installedCounter\" : 2"), "the test edits the journal");
        assertTrue(Files.readString(prev).contains("\"installedCounter\" : 10"));
        assertEquals(10, f.state().installedCounter());
    }

    @Test
    void with_both_journal_copies_lost_the_installed_releases_set_the_floor() throws IOException {
        Files.delete(f.installRoot().stateDir().resolve("ota.json"));
        Files.delete(f.installRoot().stateDir().resolve("ota.json.prev"));
        try (UpdateAgent a = f.agent()) {
            BundleException e = assertThrows(BundleException.class, () -> a.installFile(f.bundle("0.3.0", 3, "healthy"), false));
            assertEquals(Reason.DOWNGRADE, e.reason());
            assertTrue(e.getMessage().contains("lower than the installed 10 (1.0.0)"), e.getMessage());
            assertEquals(Reason.REPLAY, assertThrows(BundleException.class,
                    () -> a.installFile(f.bundle("1.0.0", 10, "healthy"), false)).reason());
        }
    }
}
