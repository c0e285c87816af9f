package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.slots.OtaState.Phase;

/**
 * Trial boots with real processes: systemd's loop of boot check, start, exit, restart. (Both releases
 * broken, ending on factory, is covered in process by UpdateAgentTest: the boot check sees the same
 * journal whichever way a process died.)
 */
class TrialBootIT {
    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void provision() throws IOException {
        f = new Fixture(tmp).provision();
    }

    /** Boot check then the gateway process, until it exits 0 on a release that is not on probation. */
    private List<Integer> runLikeSystemd(StringBuilder output) {
        List<Integer> exits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            BootCheck.run(f.root); // in process: the launcher's part; the gateway is the real process
            Subprocess.Result run = Subprocess.run(null, FakeGateway.class, f.root.toString(), f.trust.get(0), "run");
            output.append(run.output());
            exits.add(run.exitCode());
            if (run.exitCode() == 0 && !f.state().onProbation()) {
                return exits;
            }
        }
        throw new AssertionError("never settled: " + exits + "\n" + output);
    }

    @Test
    void release_that_crashes_at_start_is_rolled_back_and_reported() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "crash"), false);
        }
        StringBuilder out = new StringBuilder();
        List<Integer> exits = runLikeSystemd(out);
        assertEquals(List.of(FakeGateway.CRASH_STATUS, FakeGateway.CRASH_STATUS, FakeGateway.CRASH_STATUS, 0), exits);
        assertEquals("1.0.0", f.currentVersion());
        assertEquals(Phase.ROLLED_BACK, f.state().phase());
        assertTrue(out.toString().contains("event RolledBack[failedVersion=1.1.0"), out.toString());
        assertTrue(out.toString().contains("did not confirm its health within 3 boot attempts"), out.toString());
    }

    @Test
    void release_that_hangs_is_halted_after_its_deadline_and_rolled_back() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "hang"), false);
        }
        StringBuilder out = new StringBuilder();
        List<Integer> exits = runLikeSystemd(out);
        assertEquals(List.of(UpdateAgent.EXIT_FAILED_TRIAL, 0), exits, out.toString());
        assertEquals("1.0.0", f.currentVersion());
        assertTrue(out.toString().contains("reason=release 1.1.0 failed its health check: health not confirmed within 1 s"),
                out.toString());
    }

    @Test
    void release_that_starts_but_fails_health_is_rolled_back_at_the_next_start() throws IOException {
        try (UpdateAgent a = f.agent()) {
            a.installFile(f.bundle("1.1.0", 11, "unhealthy"), false);
        }
        StringBuilder out = new StringBuilder();
        List<Integer> exits = runLikeSystemd(out);
        assertEquals(List.of(0, 0), exits, "a clean exit after the failed health check, then 1.0");
        assertEquals("1.0.0", f.currentVersion());
        assertTrue(out.toString().contains("event Failed[version=1.1.0, reason=health check failed: outbox not writable"), out.toString());
        assertTrue(out.toString().contains("reason=release 1.1.0 failed its health check: outbox not writable"), out.toString());
    }
}
