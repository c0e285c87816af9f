package org.streetgate.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.CommandException;

class CommandRouterTest {
    @TempDir
    Path dir;
    private CommandLog log;
    private CommandRouter router;
    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private final AtomicInteger opened = new AtomicInteger();

    @BeforeEach
    void setUp() {
        log = new CommandLog(dir.resolve("commands.db"));
        router = new CommandRouter(log, now::get, r -> { });
        router.register("locker-1", c -> switch (c.action()) {
            case "open" -> {
                int door = c.intArg("door");
                opened.incrementAndGet();
                yield Map.of("door", door);
            }
            case "jam" -> throw new CommandException(CommandException.Kind.FAILED, "lock motor stalled");
            case "unsafe" -> throw new CommandException(CommandException.Kind.REFUSED, "door 3 is occupied");
            default -> throw CommandException.unknownAction(c.device(), c.action());
        });
    }

    @AfterEach
    void tearDown() {
        log.close();
    }

    private CommandResult run(String json) throws InterruptedException {
        return router.run(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void valid_command_runs_and_returns_its_result() throws Exception {
        CommandResult r = run("{\"id\":\"c1\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":{\"door\":12}}");
        assertEquals(CommandResult.Status.OK, r.status());
        assertEquals(Map.of("door", 12), r.result());
        assertEquals(1, opened.get());
    }

    @Test
    void replayed_command_is_not_executed_twice() throws Exception {
        String cmd = "{\"id\":\"c2\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":{\"door\":3}}";
        run(cmd);
        CommandResult again = run(cmd);
        assertEquals(CommandResult.Status.DUPLICATE, again.status());
        assertEquals("ok", again.result().get("first_status"));
        assertEquals(3, again.result().get("door"));
        assertEquals(1, opened.get(), "the door moved once");
        // Also across a restart: the ids live in SQLite.
        log.close();
        log = new CommandLog(dir.resolve("commands.db"));
        router = new CommandRouter(log, now::get, r -> { });
        router.register("locker-1", c -> Map.of());
        assertEquals(CommandResult.Status.DUPLICATE, run(cmd).status());
    }

    @Test
    void expired_command_is_never_executed() throws Exception {
        CommandResult r = run("{\"id\":\"c3\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":{\"door\":1},\"expires\":"
                + (now.get() - 1) + "}");
        assertEquals(CommandResult.Status.EXPIRED, r.status());
        assertEquals(0, opened.get());
    }

    @Test
    void malformed_commands_are_rejected_with_the_reason() throws Exception {
        assertEquals("command is not valid JSON", run("{not json").error());
        assertEquals("command must be a JSON object", run("[1,2]").error());
        assertEquals("'id' must be 1 to 128 printable ASCII characters without spaces", run("{\"device\":\"locker-1\",\"action\":\"open\"}").error());
        assertEquals("'action' must be non-empty text", run("{\"id\":\"m1\",\"device\":\"locker-1\"}").error());
        assertEquals("unknown field 'door'", run("{\"id\":\"m2\",\"device\":\"locker-1\",\"action\":\"open\",\"door\":1}").error());
        assertEquals("'args' must be a JSON object", run("{\"id\":\"m3\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":[1]}").error());
        assertEquals("'expires' must be milliseconds since the epoch",
                run("{\"id\":\"m4\",\"device\":\"locker-1\",\"action\":\"open\",\"expires\":\"soon\"}").error());
        assertEquals("unknown device 'locker-9'", run("{\"id\":\"m5\",\"device\":\"locker-9\",\"action\":\"open\"}").error());
        assertEquals("argument 'door' must be a whole number, not 1.5",
                run("{\"id\":\"m6\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":{\"door\":1.5}}").error());
        assertEquals("device 'locker-1' has no action 'dance'",
                run("{\"id\":\"m7\",\"device\":\"locker-1\",\"action\":\"dance\"}").error());
        CommandResult big = router.run(new byte[CommandRouter.MAX_COMMAND_BYTES + 1]);
        assertEquals(CommandResult.Status.REJECTED, big.status());
        assertNull(big.id());
        assertEquals(0, opened.get());
    }

    @Test
    void refusals_are_rejected_and_failures_are_errors() throws Exception {
        CommandResult refused = run("{\"id\":\"r1\",\"device\":\"locker-1\",\"action\":\"unsafe\"}");
        assertEquals(CommandResult.Status.REJECTED, refused.status());
        assertEquals("door 3 is occupied", refused.error());
        CommandResult failed = run("{\"id\":\"r2\",\"device\":\"locker-1\",\"action\":\"jam\"}");
        assertEquals(CommandResult.Status.ERROR, failed.status());
        assertEquals("lock motor stalled", failed.error());
    }
}
