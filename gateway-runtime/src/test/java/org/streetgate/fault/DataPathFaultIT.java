package org.streetgate.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.outbox.SqliteOutbox;
import org.streetgate.runtime.Gateway;
import org.streetgate.drivers.testing.Await;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;
import org.tinylog.Logger;

/**
 * Faults on the data path against a real Mosquitto and the real SQLite file: each test asserts what
 * is kept, what is reported, and that the gateway keeps serving.
 */
class DataPathFaultIT {
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** A short commit window: each producer waits for its commit, so the window bounds its rate. */
    private static String store(String maxBytes) {
        return "{path: outbox.db, max-bytes: " + maxBytes + ", commit-window: 5ms}";
    }

    /** (p, n) pairs seen on telemetry, counting duplicates. */
    private static final class Seen {
        final Set<Long> keys = ConcurrentHashMap.newKeySet();
        final Set<Long> seqs = ConcurrentHashMap.newKeySet();
        long duplicates;

        void add(JsonNode record) {
            JsonNode m = record.get("metrics");
            long key = m.get("p").asLong() << 40 | m.get("n").asLong();
            if (!keys.add(key)) {
                duplicates++;
            }
            seqs.add(record.get("seq").asLong());
        }

        boolean has(long p, long n) {
            return keys.contains(p << 40 | n);
        }
    }

    /**
     * Collects telemetry until the outbox is empty and nothing more has arrived for a while: an
     * empty outbox only means the broker has everything, not that it was delivered yet.
     */
    private static void drainInto(Subscriber sub, Seen seen, SqliteOutbox outbox, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastArrival = System.nanoTime();
        while (outbox.stats().rows() > 0 || System.nanoTime() - lastArrival < 1_500_000_000L) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("backlog not drained: " + outbox.stats().rows() + " rows left");
            }
            Subscriber.Received r = sub.poll(Duration.ofMillis(100));
            if (r != null && r.topic().endsWith("/telemetry")) {
                lastArrival = System.nanoTime();
                r.json().get("records").forEach(seen::add);
            }
        }
    }

    @Test
    void kill_9_during_heavy_ingest_loses_no_acknowledged_reading() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
            Path profile = dir.resolve("load.yaml");
            Files.writeString(profile, Profiles.gateway(broker.uri(), store("256MiB"),
                    "  - {id: load-1, driver: load, producers: 8, report-every: 50}"));
            String java = ProcessHandle.current().info().command().orElse("java");
            Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    GatewayProcess.class.getName(), profile.toString(), dir.resolve("data").toString())
                    .redirectError(dir.resolve("child.err").toFile())
                    .start();
            Map<Long, Long> acked = new ConcurrentHashMap<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("ack ")) {
                            String[] f = line.split(" ");
                            acked.merge(Long.parseLong(f[1]), Long.parseLong(f[2]), Math::max);
                        }
                    }
                } catch (java.io.IOException e) {
                    // the child was killed
                }
            });
            Await.until(LONG, () -> acked.values().stream().mapToLong(Long::longValue).sum() >= 20_000,
                    () -> "acknowledged so far: " + acked);
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            reader.join(5000);
            Map<Long, Long> ackedAtKill = new HashMap<>(acked);
            assertEquals(8, ackedAtKill.size(), "every producer acknowledged readings: " + ackedAtKill);

            Seen seen = new Seen();
            Gateway again = Gateway.start(Profiles.load(dir, "empty", Profiles.gateway(broker.uri(), store("256MiB"), "")), dir.resolve("data"), false);
            try {
                drainInto(sub, seen, again.outbox(), LONG);
            } finally {
                again.close();
            }
            long missing = 0;
            for (var e : ackedAtKill.entrySet()) {
                for (long n = 0; n <= e.getValue(); n++) {
                    if (!seen.has(e.getKey(), n)) {
                        missing++;
                    }
                }
            }
            long ackedTotal = ackedAtKill.values().stream().mapToLong(v -> v + 1).sum();
            Logger.info("kill -9: {} readings acknowledged before the kill, {} delivered, {} duplicates, {} missing",
                    ackedTotal, seen.keys.size(), seen.duplicates, missing);
            assertEquals(0, missing, "acknowledged readings lost");
            assertTrue(seen.keys.size() >= ackedTotal);
        }
    }

    @Test
    void broker_down_under_load_then_back_loses_nothing_and_drains_the_backlog() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/telemetry")) {
            var profile = Profiles.load(dir, "load", Profiles.gateway(broker.uri(), store("256MiB"),
                    "  - {id: load-1, driver: load, producers: 16, count: 600, pause-us: 2000}"), null);
            Gateway g = Gateway.start(profile, dir.resolve("data"), false);
            try {
                Await.until(LONG, () -> g.uplink().stats().recordsPublished() > 0, () -> "nothing published before the outage");
                sub.pause();
                broker.stop();
                // Readings keep coming while the broker is away: they must wait in the outbox.
                Await.until(LONG, () -> !g.uplink().connected() && g.outbox().stats().rows() > 0,
                        () -> "no backlog while the broker is away: " + g.outbox().stats().rows() + " rows");
                broker.restart();
                sub.reconnect();
                Seen seen = new Seen();
                awaitProduced(g, 16 * 600);
                drainInto(sub, seen, g.outbox(), LONG);
                for (int p = 0; p < 16; p++) {
                    for (int n = 0; n < 600; n++) {
                        assertTrue(seen.has(p, n), "reading p=" + p + " n=" + n + " lost");
                    }
                }
                Logger.info("broker down and back: {} readings, {} duplicates", seen.keys.size(), seen.duplicates);
            } finally {
                g.close();
            }
        }
    }

    @Test
    void broker_restarted_mid_drain_loses_nothing() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/telemetry")) {
            // Subscribed before the outage, so the broker keeps what arrives for it after the restart.
            sub.pause();
            broker.stop();
            // Paced to 2,000 records/s so the restart surely falls in the middle of the drain.
            var profile = Profiles.load(dir, "load", Profiles.gateway(broker.uri(),
                    "batch-records: 50\n  max-messages-per-second: 40",
                    store("256MiB"), "  - {id: load-1, driver: load, producers: 16, count: 500}"), null);
            Gateway g = Gateway.start(profile, dir.resolve("data"), false);
            try {
                awaitProduced(g, 8_000);
                broker.restart();
                sub.reconnect();
                Seen seen = new Seen();
                long deadline = System.nanoTime() + LONG.toNanos();
                while (seen.keys.size() < 2_000 && System.nanoTime() < deadline) {
                    Subscriber.Received r = sub.poll(Duration.ofMillis(200));
                    if (r != null) {
                        r.json().get("records").forEach(seen::add);
                    }
                }
                assertTrue(g.outbox().stats().rows() > 0, "still draining when the broker restarts");
                sub.pause();
                broker.stop();
                broker.restart();
                sub.reconnect();
                drainInto(sub, seen, g.outbox(), LONG);
                // What the gateway had in flight when the broker went away was never deleted, so it
                // is sent again: every reading arrives at least once.
                long missing = 0;
                for (int p = 0; p < 16; p++) {
                    for (int n = 0; n < 500; n++) {
                        if (!seen.has(p, n)) {
                            missing++;
                        }
                    }
                }
                Logger.info("broker restarted mid-drain: {} readings, {} duplicates, {} missing", seen.keys.size(),
                        seen.duplicates, missing);
                assertEquals(0, missing, "seqs never seen: " + gaps(seen.seqs, 8000));
            } finally {
                g.close();
            }
        }
    }

    private static String gaps(Set<Long> seqs, long upTo) {
        StringBuilder sb = new StringBuilder();
        for (long s = 1; s <= upTo; s++) {
            if (!seqs.contains(s) && (s == 1 || seqs.contains(s - 1))) {
                long e = s;
                while (e + 1 <= upTo && !seqs.contains(e + 1)) {
                    e++;
                }
                sb.append(s).append("..").append(e).append(' ');
            }
        }
        return sb.toString();
    }

    private static void awaitProduced(Gateway g, long total) throws InterruptedException {
        Await.until(LONG, () -> g.outbox().lastSeq() >= total, () -> "only " + g.outbox().lastSeq() + " of " + total + " readings produced");
    }

    @Test
    void full_budget_evicts_oldest_telemetry_reports_it_and_keeps_serving() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
            // Subscribed before the outage, so the broker keeps what arrives for it after the restart.
            sub.pause();
            broker.stop();
            var profile = Profiles.load(dir, "load", Profiles.gateway(broker.uri(), store("1MiB"),
                    "  - {id: load-1, driver: load, producers: 32, count: 1000}"), null);
            Gateway g = Gateway.start(profile, dir.resolve("data"), false);
            try {
                awaitProduced(g, 32_000);
                SqliteOutbox.Stats s = g.outbox().stats();
                long evicted = s.evicted().get(org.streetgate.outbox.Kind.TELEMETRY);
                assertTrue(evicted > 0, "the 1 MiB budget forced evictions");
                assertTrue(s.fileBytes() <= (1 << 20) + (1 << 20) / 4, "files " + s.fileBytes() + " bytes");
                @SuppressWarnings("unchecked")
                Map<String, Object> buffer = (Map<String, Object>) g.health().snapshot().get("buffer");
                assertEquals(Map.of("results", 0L, "events", 0L, "telemetry", evicted), buffer.get("evicted"));

                broker.restart();
                sub.reconnect();
                JsonNode evictedEvent = null;
                long deadline = System.nanoTime() + LONG.toNanos();
                while (evictedEvent == null && System.nanoTime() < deadline) {
                    Subscriber.Received r = sub.poll(Duration.ofMillis(200));
                    if (r != null && r.topic().endsWith("/events")) {
                        for (JsonNode rec : r.json().get("records")) {
                            if (rec.get("type").asText().equals("store.evicted")) {
                                evictedEvent = rec;
                            }
                        }
                    }
                }
                assertTrue(evictedEvent != null, "a store.evicted event reached the platform");
                assertEquals("warning", evictedEvent.get("severity").asText());
                assertTrue(evictedEvent.get("data").get("telemetry").asLong() > 0);
                // The gateway keeps serving: new commands are answered.
                sub.publish("sg/v1/pole-it/cmd", "{\"id\":\"after-evict\",\"device\":\"gateway\",\"action\":\"ping\"}");
                Subscriber.Received result = sub.next("/cmd/result", Duration.ofSeconds(20));
                assertEquals("ok", result.json().get("status").asText());
            } finally {
                g.close();
            }
        }
    }

    @Test
    void an_alarm_goes_out_before_a_telemetry_backlog() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/+")) {
            sub.pause();
            broker.stop();
            var profile = Profiles.load(dir, "load", Profiles.gateway(broker.uri(), store("64MiB"),
                    "  - {id: load-1, driver: load, producers: 16, count: 300}"), null);
            Gateway g = Gateway.start(profile, dir.resolve("data"), false);
            try {
                awaitProduced(g, 4_800);
                // An alarm raised after the backlog built up, e.g. a forced door.
                g.outbox().append(org.streetgate.outbox.Kind.EVENT, System.currentTimeMillis(),
                        "\"device\":\"locker-1\",\"type\":\"locker.door-forced\",\"severity\":\"alarm\",\"data\":{\"door\":3}}", true);
                broker.restart();
                sub.reconnect();
                Subscriber.Received first;
                do {
                    first = sub.next("", Duration.ofSeconds(20));
                } while (first.topic().endsWith("/state") || first.topic().endsWith("/health"));
                assertTrue(first.topic().endsWith("/events"), "first record message was on " + first.topic());
                assertEquals("locker.door-forced", first.json().get("records").get(0).get("type").asText());
            } finally {
                g.close();
            }
        }
    }

    @Test
    void corrupt_database_at_start_up_is_moved_aside_and_reported_with_seq_continuing() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
            Path data = dir.resolve("data");
            String yaml = Profiles.gateway(broker.uri(), store("16MiB"), "  - {id: load-1, driver: load, producers: 1, count: 100}");
            Gateway first = Gateway.start(Profiles.load(dir, "load", yaml, null), data, false);
            awaitProduced(first, 100);
            long lastSeq = first.outbox().lastSeq();
            first.close();
            Files.write(data.resolve("outbox.db"), "this is not a database".repeat(300).getBytes());

            Gateway second = Gateway.start(Profiles.load(dir, "load", yaml, null), data, false);
            try {
                JsonNode alarm = null;
                long maxSeq = 0;
                long deadline = System.nanoTime() + LONG.toNanos();
                while (alarm == null && System.nanoTime() < deadline) {
                    Subscriber.Received r = sub.poll(Duration.ofMillis(200));
                    if (r != null && r.topic().endsWith("/events")) {
                        for (JsonNode rec : r.json().get("records")) {
                            if (rec.get("type").asText().equals("store.recovered")) {
                                alarm = rec;
                            }
                        }
                    }
                }
                assertTrue(alarm != null, "a store.recovered alarm reached the platform");
                assertEquals("alarm", alarm.get("severity").asText());
                assertTrue(alarm.get("seq").asLong() > lastSeq, "seq continues above " + lastSeq);
                String movedTo = alarm.get("data").get("moved_to").asText();
                assertTrue(Files.exists(Path.of(movedTo)), "the corrupt file is kept");
                assertFalse(alarm.get("data").get("reason").asText().isBlank());
            } finally {
                second.close();
            }
        }
    }

    @Test
    void replayed_expired_and_malformed_commands_over_mqtt() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
            Gateway g = Gateway.start(Profiles.load(dir, "pole", Profiles.gateway(broker.uri(), store("16MiB"),
                    "  - {id: air-1, driver: pms5003, serial: {port: /dev/ttyAMA0}, poll: 1s, sim: true}")), dir.resolve("data"), false);
            try {
                sub.awaitBirth(Duration.ofSeconds(15));
                String ping = "{\"id\":\"p-1\",\"device\":\"gateway\",\"action\":\"ping\"}";
                sub.publish("sg/v1/pole-it/cmd", ping);
                assertEquals("ok", sub.next("/cmd/result", Duration.ofSeconds(10)).json().get("status").asText());
                sub.publish("sg/v1/pole-it/cmd", ping);
                JsonNode dup = sub.next("/cmd/result", Duration.ofSeconds(10)).json();
                assertEquals("p-1", dup.get("id").asText());
                assertEquals("duplicate", dup.get("status").asText());

                sub.publish("sg/v1/pole-it/cmd", "{\"id\":\"e-1\",\"device\":\"gateway\",\"action\":\"flush\",\"expires\":1000}");
                assertEquals("expired", sub.next("/cmd/result", Duration.ofSeconds(10)).json().get("status").asText());

                sub.publish("sg/v1/pole-it/cmd", "{\"id\":\"m-1\",\"device\":\"air-1\"}");
                JsonNode bad = sub.next("/cmd/result", Duration.ofSeconds(10)).json();
                assertEquals("rejected", bad.get("status").asText());
                assertEquals("'action' must be non-empty text", bad.get("error").asText());

                sub.publish("sg/v1/pole-it/cmd", "{\"id\":\"h-1\",\"device\":\"gateway\",\"action\":\"health\"}");
                JsonNode health = sub.next("/cmd/result", Duration.ofSeconds(10)).json();
                assertEquals("ok", health.get("status").asText());
                assertTrue(health.get("result").get("devices").has("air-1"));
            } finally {
                g.close();
            }
        }
    }
}
