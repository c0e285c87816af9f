package org.streetgate.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command parser against random and mutated input, seeded so a failure replays: every input
 * ends in a result (never an exception), an unsigned or broken one never moves anything, and a
 * signed one moves only when it is byte-for-byte what the platform signed.
 */
class CommandFuzzTest {
    private static final long SEED = 0x5743_2026L;
    private static final int BUDGET = 6_000;
    private static final long NOW = 1_796_083_000_000L;
    private static final List<String> SEEDS = List.of(
            "{\"id\":\"c1\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":{\"door\":12},\"expires\":1796083100000}",
            "{\"id\":\"c2\",\"device\":\"locker-1\",\"action\":\"status\"}",
            "{\"id\":\"c3\",\"device\":\"gateway\",\"action\":\"ping\",\"args\":{\"a\":[1,2,{\"b\":null}],\"s\":\"\\u00e9\"}}");

    @TempDir
    Path dir;
    private CommandLog log;
    private CommandRouter router;
    private final AtomicInteger moved = new AtomicInteger();

    @BeforeEach
    void open() {
        log = new CommandLog(dir.resolve("commands.db"));
        var settings = new CommandSecurity.Settings(List.of(TestKeys.RFC8037.key(List.of())), List.of(),
                java.time.Duration.ofMinutes(10), java.time.Duration.ZERO);
        router = new CommandRouter(log, () -> NOW, r -> { },
                new CommandSecurity(settings, "kiosk-0001", () -> NOW, () -> true, () -> 0));
        CommandTarget t = c -> {
            if (!CommandSecurity.READ_ONLY.contains(c.action())) {
                moved.incrementAndGet();
            }
            c.args().forEach((k, v) -> String.valueOf(v)); // a driver reads its arguments
            return Map.of();
        };
        router.register("locker-1", t);
        router.register("gateway", t);
    }

    @AfterEach
    void close() {
        router.close();
        log.close();
    }

    @Test
    void random_and_mutated_plain_commands_always_get_a_result_and_never_actuate() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < BUDGET; i++) {
            byte[] input = switch (i % 4) {
                case 0 -> mutate(random, SEEDS.get(random.nextInt(SEEDS.size())).getBytes(StandardCharsets.UTF_8));
                case 1 -> randomJson(random, 0).getBytes(StandardCharsets.UTF_8);
                case 2 -> hostile(random).getBytes(StandardCharsets.UTF_8);
                default -> randomBytes(random);
            };
            CommandResult r = runOrFail(input, i);
            if (r.id() != null) {
                assertTrue(r.id().chars().allMatch(c -> c > 0x20 && c < 0x7f), "a result id is printable: " + r.id());
            }
        }
        assertEquals(0, moved.get(), "with command keys configured no unsigned input actuates");
    }

    @Test
    void a_mutated_signed_command_moves_only_when_unchanged() throws Exception {
        Random random = new Random(SEED + 1);
        String signed = TestKeys.RFC8037.sign("{\"id\":\"s-%d\",\"gateway\":\"kiosk-0001\",\"device\":\"locker-1\","
                + "\"action\":\"open\",\"args\":{\"door\":3},\"expires\":" + (NOW + 60_000) + "}");
        byte[] good = signed.getBytes(StandardCharsets.US_ASCII);
        int unchanged = 0;
        for (int i = 0; i < BUDGET / 2; i++) {
            byte[] input = mutate(random, good);
            int before = moved.get();
            CommandResult r = runOrFail(input, i);
            if (moved.get() > before) {
                assertTrue(java.util.Arrays.equals(input, good) || sameTokenModuloWhitespace(input, good),
                        "only the signed bytes move: " + new String(input, StandardCharsets.ISO_8859_1));
                unchanged++;
            }
            assertNotNull(r.status());
        }
        assertTrue(unchanged <= 1, "the signed command ran at most once (its id), ran " + unchanged);
    }

    private CommandResult runOrFail(byte[] input, int i) throws InterruptedException {
        long start = System.nanoTime();
        try {
            CommandResult r = router.run(input);
            assertNotNull(r, "input " + i);
            assertTrue(System.nanoTime() - start < 2_000_000_000L, "input " + i + " took over 2 s");
            return r;
        } catch (RuntimeException e) {
            fail("input " + i + " (seed " + SEED + ") threw " + e + ": " + new String(input, StandardCharsets.ISO_8859_1), e);
            return null;
        }
    }

    private static boolean sameTokenModuloWhitespace(byte[] a, byte[] b) {
        return new String(a, StandardCharsets.ISO_8859_1).strip().equals(new String(b, StandardCharsets.ISO_8859_1).strip());
    }

    private static byte[] mutate(Random r, byte[] in) {
        byte[] out = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            if (out.length == 0) {
                return out;
            }
            int at = r.nextInt(out.length);
            switch (r.nextInt(4)) {
                case 0 -> out[at] = (byte) r.nextInt(256);
                case 1 -> out[at] ^= (byte) (1 << r.nextInt(8));
                case 2 -> out = java.util.Arrays.copyOf(out, at);
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) "{}[]\",:\\.0e-".charAt(r.nextInt(12));
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }

    private static String randomJson(Random r, int depth) {
        return switch (depth > 5 ? r.nextInt(4) : r.nextInt(7)) {
            case 0 -> Long.toString(r.nextLong());
            case 1 -> "\"" + "idevcats".charAt(r.nextInt(8)) + r.nextInt(100) + "\"";
            case 2 -> r.nextBoolean() ? "true" : "null";
            case 3 -> Double.toString(r.nextGaussian() * 1e300);
            case 4 -> "[" + randomJson(r, depth + 1) + "," + randomJson(r, depth + 1) + "]";
            default -> {
                StringBuilder sb = new StringBuilder("{");
                String[] keys = {"id", "device", "action", "args", "expires", "gateway", "door", "id"};
                int n = r.nextInt(5);
                for (int k = 0; k < n; k++) {
                    sb.append(k == 0 ? "" : ",").append('"').append(keys[r.nextInt(keys.length)]).append("\":")
                            .append(randomJson(r, depth + 1));
                }
                yield sb.append('}').toString();
            }
        };
    }

    private static String hostile(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> "{\"id\":\"h\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
            case 1 -> "{\"id\":\"h\",\"device\":\"locker-1\",\"action\":\"open\",\"expires\":1" + "0".repeat(5000) + "}";
            case 2 -> "{\"id\":\"" + "x".repeat(60_000) + "\",\"device\":\"locker-1\",\"action\":\"open\"}";
            case 3 -> "{\"id\":\"h\",\"device\":\"locker-1\",\"action\":\"status\",\"action\":\"open\"}";
            case 4 -> "{\"id\":\"h\\r\\nINFO cmd forged\",\"device\":\"locker-1\",\"action\":\"status\"}";
            default -> "{\"id\":\"h\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":{\"door\":1e999999}}";
        };
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(200)];
        r.nextBytes(b);
        return b;
    }
}
