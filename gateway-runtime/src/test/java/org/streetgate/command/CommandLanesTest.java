package org.streetgate.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.testing.Await;

/** The router's queue: arrival order per device, devices in parallel, floods answered, ids forgotten in time. */
class CommandLanesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private final List<CommandResult> results = new CopyOnWriteArrayList<>();
    private CommandLog log;
    private CommandRouter router;

    @BeforeEach
    void open() {
        log = new CommandLog(dir.resolve("commands.db"));
        router = new CommandRouter(log, now::get, results::add);
    }

    @AfterEach
    void close() {
        router.close();
        log.close();
    }

    private static byte[] cmd(String id, String device) {
        return ("{\"id\":\"" + id + "\",\"device\":\"" + device + "\",\"action\":\"go\"}").getBytes(StandardCharsets.UTF_8);
    }

    private List<String> ids(String prefix) {
        return results.stream().map(CommandResult::id).filter(i -> i != null && i.startsWith(prefix)).toList();
    }

    @Test
    void one_device_runs_its_commands_in_arrival_order_while_another_is_not_held_up() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        router.register("door", c -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (c.id().equals("a00")) {
                    assertTrue(release.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                }
                order.add(c.id());
                return Map.of();
            } finally {
                running.decrementAndGet();
            }
        });
        router.register("light", c -> Map.of());
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "a%02d".formatted(i);
            sent.add(id);
            router.handle(cmd(id, "door"));
        }
        router.handle(cmd("b1", "light"));
        Await.until(WAIT, () -> ids("b1").size() == 1, () -> "the light waited behind the door: " + results);
        assertEquals(List.of(), ids("a"), "the door's first command still holds its lane");
        release.countDown();
        Await.until(WAIT, () -> ids("a").size() == 20, () -> "door results: " + ids("a"));
        assertEquals(sent, order, "executed in arrival order");
        assertEquals(sent, ids("a"), "answered in arrival order");
        assertEquals(1, most.get(), "one command at a time per device");
    }

    @Test
    void a_flood_from_one_source_is_answered_rate_limited_and_counted() throws Exception {
        router.register("door", c -> Map.of());
        for (int i = 0; i < CommandRouter.RATE_BURST + 10; i++) {
            router.handle("cmd", cmd("f" + i, "door"));
        }
        Await.until(WAIT, () -> results.size() == CommandRouter.RATE_BURST + 10, () -> results.size() + " answers");
        long limited = results.stream().filter(r -> r.error() != null && r.error().startsWith("rate limited")).count();
        assertEquals(10, limited, "the burst passes, the rest is refused unread");
        assertEquals(10L, router.stats().get("rate_limited"));
        now.addAndGet(1_000); // one second later: RATE_PER_SECOND more
        results.clear();
        for (int i = 0; i < 12; i++) {
            router.handle("cmd", cmd("g" + i, "door"));
        }
        Await.until(WAIT, () -> results.size() == 12, () -> results.size() + " answers");
        assertEquals((long) CommandRouter.RATE_PER_SECOND, results.stream().filter(r -> r.status() == CommandResult.Status.OK).count());
    }

    @Test
    void a_full_queue_answers_instead_of_dropping() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CommandRouter slow = new CommandRouter(log, now::get, r -> {
            if (Thread.currentThread().getName().equals("cmd-dispatch")) {
                try {
                    stuck.await(WAIT.toSeconds(), TimeUnit.SECONDS); // the dispatcher is held on its first answer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            results.add(r);
        });
        try {
            slow.handle("s0", "not json".getBytes(StandardCharsets.UTF_8));
            Await.until(WAIT, () -> (int) slow.stats().get("waiting") == 0, () -> "the dispatcher took the first");
            for (int i = 0; i < CommandRouter.INBOX + 5; i++) {
                slow.handle("s" + i, cmd("q" + i, "door"));
            }
            assertEquals(5, results.size(), "five answered at once: " + results);
            assertTrue(results.stream().allMatch(r -> r.error().startsWith("too many commands waiting")));
            assertEquals(5L, slow.stats().get("queue_full"));
        } finally {
            stuck.countDown();
            slow.close();
        }
    }

    @Test
    void an_expires_is_never_trusted_to_an_unsynced_clock() throws Exception {
        AtomicInteger moved = new AtomicInteger();
        CommandRouter r = new CommandRouter(log, () -> 86_400_000L, results::add,
                new CommandSecurity(CommandSecurity.Settings.none(), "pole-1", () -> 86_400_000L, () -> false, () -> 0));
        try {
            r.register("door", c -> Map.of("n", moved.incrementAndGet()));
            // Expired long ago by the real clock; a Pi that booted in 1970 would think it far in the future.
            CommandResult old = r.run(("{\"id\":\"x1\",\"device\":\"door\",\"action\":\"open\",\"expires\":1700000000000}")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(CommandResult.Status.REJECTED, old.status());
            assertTrue(old.error().startsWith("clock unsynced"), old.error());
            assertEquals(0, moved.get());
            assertEquals(CommandResult.Status.OK, r.run(cmd("x2", "door")).status(), "no expires: nothing to judge");
        } finally {
            r.close();
        }
    }

    @Test
    void ids_are_forgotten_after_their_keeping_time_only() throws Exception {
        router.register("door", c -> Map.of());
        assertEquals(CommandResult.Status.OK, router.run(cmd("old", "door")).status());
        now.addAndGet(CommandLog.KEEP.toMillis() - 1);
        assertEquals(CommandResult.Status.OK, router.run(cmd("new", "door")).status());
        assertEquals(0, router.prune(), "nothing is old enough yet");
        assertEquals(CommandResult.Status.DUPLICATE, router.run(cmd("old", "door")).status());
        now.addAndGet(2);
        assertEquals(1, router.prune());
        assertEquals(1L, router.stats().get("log_rows"));
        assertEquals(CommandResult.Status.DUPLICATE, router.run(cmd("new", "door")).status(), "the newer id is kept");
    }
}
