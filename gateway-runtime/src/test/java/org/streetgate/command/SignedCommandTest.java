package org.streetgate.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed actuation through the router: what runs, what is refused and why, and that nothing moves. */
class SignedCommandTest {
    private static final long NOW = 1_796_083_000_000L;
    private static final TestKeys PLATFORM = TestKeys.RFC8037;
    private static final TestKeys DISPATCH = TestKeys.fresh();

    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(NOW);
    private final AtomicBoolean synced = new AtomicBoolean(true);
    private final AtomicLong sinceBoot = new AtomicLong(3_600_000);
    private final AtomicInteger moved = new AtomicInteger();
    private CommandLog log;

    private CommandRouter router(List<String> unsigned, Duration grace) {
        log = new CommandLog(dir.resolve("commands.db"));
        var settings = new CommandSecurity.Settings(List.of(PLATFORM.key(List.of()), DISPATCH.key(List.of("dock:cover-close"))),
                unsigned, Duration.ofMinutes(10), grace);
        CommandRouter r = new CommandRouter(log, now::get, x -> { },
                new CommandSecurity(settings, "kiosk-0001", now::get, synced::get, sinceBoot::get));
        CommandTarget target = c -> {
            if (!c.action().equals("status")) {
                moved.incrementAndGet();
            }
            return Map.of("action", c.action());
        };
        r.register("locker-1", target);
        r.register("dock", target);
        r.register("street-light", target);
        return r;
    }

    private CommandRouter router() {
        return router(List.of(), Duration.ZERO);
    }

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private static String cmd(String id, String device, String action, String extra) {
        return "{\"id\":\"" + id + "\",\"device\":\"" + device + "\",\"action\":\"" + action + "\""
                + extra + "}";
    }

    private static String signedFields(String gateway, long expires) {
        return ",\"gateway\":\"" + gateway + "\",\"expires\":" + expires;
    }

    private static CommandResult run(CommandRouter r, String payload) throws InterruptedException {
        return r.run(payload.getBytes(StandardCharsets.UTF_8));
    }

    private void assertRejected(CommandResult r, String reason) {
        assertEquals(CommandResult.Status.REJECTED, r.status(), String.valueOf(r));
        assertTrue(r.error().startsWith(reason), r.error());
        assertEquals(0, moved.get(), "nothing moves");
    }

    @Test
    void a_signed_actuation_runs_once() throws Exception {
        CommandRouter r = router();
        String jws = PLATFORM.sign(cmd("s1", "locker-1", "open", signedFields("kiosk-0001", NOW + 60_000)));
        assertEquals(CommandResult.Status.OK, run(r, jws).status());
        assertEquals(1, moved.get());
        CommandResult again = run(r, jws);
        assertEquals(CommandResult.Status.DUPLICATE, again.status(), "a replayed JWS is a duplicate");
        assertEquals(1, moved.get());
    }

    @Test
    void an_unsigned_actuation_is_refused_but_read_only_actions_are_not() throws Exception {
        CommandRouter r = router();
        assertRejected(run(r, cmd("u1", "locker-1", "open", ",\"args\":{\"door\":3}")), "signature required");
        assertEquals(CommandResult.Status.OK, run(r, cmd("u2", "locker-1", "status", "")).status());
        assertEquals(0, moved.get());
    }

    @Test
    void an_unknown_key_or_a_bad_signature_is_refused() throws Exception {
        CommandRouter r = router();
        String body = cmd("k1", "locker-1", "open", signedFields("kiosk-0001", NOW + 60_000));
        assertRejected(run(r, TestKeys.fresh().sign(body)), "unknown key");
        String good = PLATFORM.sign(body);
        String[] p = good.split("\\.");
        String otherPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                cmd("k1", "locker-1", "open", ",\"args\":{\"door\":9}" + signedFields("kiosk-0001", NOW + 60_000))
                        .getBytes(StandardCharsets.UTF_8));
        CommandResult swapped = run(r, p[0] + "." + otherPayload + "." + p[2]);
        assertRejected(swapped, "bad signature");
        assertEquals("k1", swapped.id(), "the id is echoed so the platform can correlate");
        assertRejected(run(r, "not.a.jws"), "bad signature");
    }

    @Test
    void a_command_signed_for_another_gateway_is_refused() throws Exception {
        CommandRouter r = router();
        assertRejected(run(r, PLATFORM.sign(cmd("g1", "locker-1", "open", signedFields("kiosk-0002", NOW + 60_000)))),
                "wrong gateway");
        assertRejected(run(r, PLATFORM.sign(cmd("g2", "locker-1", "open", ",\"expires\":" + (NOW + 60_000)))), "wrong gateway");
    }

    @Test
    void expiry_must_be_present_future_and_within_the_horizon() throws Exception {
        CommandRouter r = router();
        assertRejected(run(r, PLATFORM.sign(cmd("e1", "locker-1", "open", ",\"gateway\":\"kiosk-0001\""))), "expired");
        assertRejected(run(r, PLATFORM.sign(cmd("e2", "locker-1", "open", signedFields("kiosk-0001", NOW - 1)))), "expired");
        assertRejected(run(r, PLATFORM.sign(cmd("e3", "locker-1", "open", signedFields("kiosk-0001", NOW + 11 * 60_000)))),
                "expires too far ahead");
        assertEquals(CommandResult.Status.OK,
                run(r, PLATFORM.sign(cmd("e4", "locker-1", "open", signedFields("kiosk-0001", NOW + 10 * 60_000)))).status());
    }

    @Test
    void a_refused_command_does_not_burn_its_id() throws Exception {
        CommandRouter r = router();
        assertRejected(run(r, cmd("b1", "locker-1", "open", "")), "signature required");
        CommandResult signed = run(r, PLATFORM.sign(cmd("b1", "locker-1", "open", signedFields("kiosk-0001", NOW + 60_000))));
        assertEquals(CommandResult.Status.OK, signed.status(), "the platform can still send it properly");
    }

    @Test
    void a_scoped_key_signs_only_its_actions() throws Exception {
        CommandRouter r = router();
        assertRejected(run(r, DISPATCH.sign(cmd("d1", "dock", "cover-open", signedFields("kiosk-0001", NOW + 60_000)))),
                "key not allowed");
        assertEquals(CommandResult.Status.OK,
                run(r, DISPATCH.sign(cmd("d2", "dock", "cover-close", signedFields("kiosk-0001", NOW + 60_000)))).status());
    }

    @Test
    void an_unsynced_clock_refuses_signed_actuation_unless_a_grace_is_configured() throws Exception {
        synced.set(false);
        now.set(86_400_000L); // a Pi that booted in 1970
        String body = cmd("c1", "locker-1", "open", signedFields("kiosk-0001", NOW + 60_000));
        assertRejected(run(router(), PLATFORM.sign(body)), "clock unsynced");
        log.close();
        dir.resolve("commands.db").toFile().delete();
        sinceBoot.set(60_000);
        CommandRouter router = router(List.of(), Duration.ofMinutes(5));
        assertEquals(CommandResult.Status.OK, run(router, PLATFORM.sign(body)).status(),
                "within the grace after boot");
        sinceBoot.set(6 * 60_000);
        assertEquals(CommandResult.Status.REJECTED,
                run(router, PLATFORM.sign(cmd("c2", "locker-1", "open", signedFields("kiosk-0001", NOW + 60_000)))).status(),
                "the grace is bounded");
    }

    @Test
    void a_profile_relaxation_lets_only_that_action_run_unsigned() throws Exception {
        CommandRouter r = router(List.of("street-light:*"), Duration.ZERO);
        assertEquals(CommandResult.Status.OK, run(r, cmd("r1", "street-light", "on", "")).status());
        assertEquals(1, moved.getAndSet(0));
        assertRejected(run(r, cmd("r2", "locker-1", "open", "")), "signature required");
    }

    @Test
    void duplicate_keys_and_forged_log_lines_are_refused() throws Exception {
        CommandRouter r = router(List.of("*:*"), Duration.ZERO);
        CommandResult dup = run(r, "{\"id\":\"x1\",\"device\":\"locker-1\",\"action\":\"status\",\"action\":\"open\"}");
        assertRejected(dup, "command is not valid JSON: a field appears twice");
        CommandResult newline = run(r, cmd("x2\\ncmd x3: locker-1 open", "locker-1", "open", ""));
        assertRejected(newline, "'id' must be 1 to 128 printable ASCII");
        assertNull(newline.id());
        assertRejected(run(r, cmd("x6", "locker-1", "open\\nINFO cmd x7: locker-1 open", "")),
                "'action' must be 1 to 128 printable ASCII");
        assertRejected(run(r, cmd("x8", "locker-1\\r", "status", "")), "'device' must be 1 to 128 printable ASCII");
        CommandResult deep = run(r, "{\"id\":\"x4\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":"
                + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}");
        assertRejected(deep, "command is not valid JSON");
        CommandResult huge = run(r, "{\"id\":\"x5\",\"device\":\"locker-1\",\"action\":\"open\",\"expires\":" + "9".repeat(400) + "}");
        assertRejected(huge, "command is not valid JSON");
    }

    @Test
    void a_plain_command_naming_another_gateway_is_refused() throws Exception {
        CommandRouter r = router(List.of("*:*"), Duration.ZERO);
        assertRejected(run(r, cmd("w1", "locker-1", "open", ",\"gateway\":\"kiosk-0009\"")), "wrong gateway");
    }
}
