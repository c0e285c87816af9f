package org.streetgate.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.streetgate.drivers.spi.Message;
import org.streetgate.outbox.Kind;
import org.streetgate.outbox.RecordJson;
import org.streetgate.outbox.Row;
import org.streetgate.outbox.SqliteOutbox;
import org.streetgate.profile.Profile;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;
import org.streetgate.uplink.MqttUplink;

/**
 * Prints the data path's figures beside the raw limits measured in the same run (docs/benchmarks.md):
 * durable ingest vs plain sqlite-jdbc batched inserts, drain to a local Mosquitto vs plain Paho
 * QoS 1 publishes of the same bytes, disk bytes written per reading, and command latency.
 *
 * <p>Run with {@code scripts/benchmark} (it needs mosquitto installed). Arguments: the number of
 * readings (default 1,000,000) and the commands to time (default 2,000).
 */
public final class DataPathBenchmark {
    private static final int BATCH = 10_000;     // group-commit size, also the raw insert batch
    private static final int MESSAGE_RECORDS = 500;
    private static final int IN_FLIGHT = 32;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int commands = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        Path dir = Files.createTempDirectory("sg-bench");
        System.out.printf("StreetGate data path benchmark: %,d readings, %d cores, Java %s, dir %s%n",
                n, Runtime.getRuntime().availableProcessors(), Runtime.version(), dir);
        String[] bodies = bodies(n);

        // Raw SQLite: the same rows, the same pragmas, batched inserts then batched deletes.
        long rawW0 = writeBytes();
        double rawIngest = rawIngest(dir.resolve("raw.db"), bodies);
        long rawIngestBytes = writeBytes() - rawW0;
        long rawD0 = writeBytes();
        rawDelete(dir.resolve("raw.db"), n);
        long rawDeleteBytes = writeBytes() - rawD0;

        // StreetGate's outbox: group commit through the writer thread, acknowledged after commit.
        Path db = dir.resolve("outbox.db");
        long w0 = writeBytes();
        double ingest;
        try (SqliteOutbox box = SqliteOutbox.open(db, new SqliteOutbox.Settings(4L << 30, Duration.ofMillis(100), BATCH, 1))) {
            ingest = outboxIngest(box, bodies);
        }
        long ingestBytes = writeBytes() - w0;
        System.out.printf("ingest   outbox %,10.0f readings/s   raw sqlite-jdbc %,10.0f rows/s   ratio %.2f   (target >= 200,000/s and >= 0.5)%n",
                ingest, rawIngest, ingest / rawIngest);

        try (Mosquitto broker = Mosquitto.start(dir)) {
            // Raw Paho: the same payload bytes at QoS 1 with the same number in flight.
            List<byte[]> payloads = payloads(db);
            double rawDrain = rawPublish(broker.uri(), payloads, n);
            long d0 = writeBytes();
            double drain = outboxDrain(broker.uri(), db, n);
            long drainBytes = writeBytes() - d0;
            System.out.printf("drain    outbox %,10.0f readings/s   raw paho qos1   %,10.0f readings/s   ratio %.2f   (target >= 100,000/s)%n",
                    drain, rawDrain, drain / rawDrain);
            double ours = (ingestBytes + drainBytes) / (double) n;
            double raw = (rawIngestBytes + rawDeleteBytes) / (double) n;
            System.out.printf("disk     outbox %,10.1f bytes/reading    raw sqlite      %,10.1f bytes/reading  ratio %.2f   (target <= 2.0; ingest %,.1f + drain %,.1f)%n",
                    ours, raw, ours / raw, ingestBytes / (double) n, drainBytes / (double) n);
            commandLatency(dir, broker, commands);
        }
    }

    private static String[] bodies(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = RecordJson.body(new Message.Reading("air-" + (i % 8),
                    Map.of("pm2_5_ug_m3", (double) (i % 300), "pm10_ug_m3", (double) (i % 400), "pm1_0_ug_m3", (double) (i % 90))));
        }
        return out;
    }

    /** Bytes this process caused to be written to storage so far (Linux /proc/self/io). */
    static long writeBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring(12).trim());
            }
        }
        throw new IllegalStateException("no write_bytes in /proc/self/io");
    }

    private static double rawIngest(Path file, String[] bodies) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE telemetry(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, unsynced INTEGER NOT NULL,"
                        + " body TEXT NOT NULL, since_boot INTEGER, boot INTEGER)");
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO telemetry(seq, ts, unsynced, body, since_boot, boot) VALUES (?,?,?,?,?,?)")) {
                for (int i = 0; i < bodies.length; i++) {
                    ps.setLong(1, i + 1);
                    ps.setLong(2, 1_800_000_000_000L + i);
                    ps.setInt(3, 0);
                    ps.setString(4, bodies[i]);
                    ps.setNull(5, java.sql.Types.INTEGER);
                    ps.setNull(6, java.sql.Types.INTEGER);
                    ps.addBatch();
                    if ((i + 1) % BATCH == 0 || i == bodies.length - 1) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            }
            return bodies.length / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static void rawDelete(Path file, int n) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA synchronous=FULL");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM telemetry WHERE seq BETWEEN ? AND ?")) {
                // As after PUBACKs: one delete per message, several messages per transaction.
                for (int first = 1; first <= n; first += MESSAGE_RECORDS) {
                    ps.setLong(1, first);
                    ps.setLong(2, first + MESSAGE_RECORDS - 1);
                    ps.executeUpdate();
                    if (((first - 1) / MESSAGE_RECORDS + 1) % IN_FLIGHT == 0) {
                        c.commit();
                    }
                }
                c.commit();
            }
        }
    }

    /**
     * Each producer hands over its readings 500 at a time (as a bus poller reading a register block
     * would, through {@code Sink.acceptAll}) and keeps up to 20 such groups in flight.
     */
    private static double outboxIngest(SqliteOutbox box, String[] bodies) throws Exception {
        int producers = 4;
        int group = 500;
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int start = p * (bodies.length / producers);
            int end = p == producers - 1 ? bodies.length : start + bodies.length / producers;
            threads.add(Thread.ofVirtual().start(() -> {
                Semaphore window = new Semaphore(20);
                CompletableFuture<Long> last = CompletableFuture.completedFuture(0L);
                for (int i = start; i < end; i += group) {
                    List<SqliteOutbox.Entry> entries = new ArrayList<>(group);
                    for (int j = i; j < Math.min(end, i + group); j++) {
                        entries.add(new SqliteOutbox.Entry(1_800_000_000_000L + j, false, 0, bodies[j]));
                    }
                    window.acquireUninterruptibly();
                    last = box.appendAllAsync(Kind.TELEMETRY, entries);
                    last.whenComplete((seq, e) -> window.release());
                }
                last.join();
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        box.flush();
        return bodies.length / ((System.nanoTime() - t0) / 1e9);
    }

    private static List<byte[]> payloads(Path db) {
        List<byte[]> out = new ArrayList<>();
        try (SqliteOutbox box = SqliteOutbox.open(db, new SqliteOutbox.Settings(4L << 30, Duration.ofMillis(100), BATCH, 1))) {
            long after = 0;
            while (true) {
                List<Row> rows = box.read(Kind.TELEMETRY, after, MESSAGE_RECORDS, 1 << 20);
                if (rows.isEmpty()) {
                    return out;
                }
                StringBuilder sb = new StringBuilder("{\"gateway\":\"bench\",\"records\":[");
                for (int i = 0; i < rows.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    RecordJson.appendRecord(sb, rows.get(i), true);
                }
                out.add(sb.append("]}").toString().getBytes(StandardCharsets.UTF_8));
                after = rows.getLast().seq();
            }
        }
    }

    private static double rawPublish(String uri, List<byte[]> payloads, int n) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(uri, "bench-raw", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(IN_FLIGHT + 5);
        client.connect(o).waitForCompletion();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        CountDownLatch done = new CountDownLatch(payloads.size());
        long t0 = System.nanoTime();
        for (byte[] p : payloads) {
            inFlight.acquire();
            client.publish("bench/raw/telemetry", p, 1, false, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken t) {
                    inFlight.release();
                    done.countDown();
                }

                @Override
                public void onFailure(IMqttToken t, Throwable e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        done.await();
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        client.disconnect().waitForCompletion();
        client.close();
        return rate;
    }

    private static double outboxDrain(String uri, Path db, int n) throws Exception {
        Profile.Platform platform = new Profile.Platform(uri, "sg/v1", Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofMillis(100), Duration.ofSeconds(1), MESSAGE_RECORDS, 1 << 20, IN_FLIGHT, 0, Duration.ofSeconds(30),
                // 3.1.1 like the raw client it is measured against
                Profile.Protocol.MQTT_3_1_1, Duration.ofDays(1), Duration.ofSeconds(30), 4 << 20, Duration.ofSeconds(60));
        try (SqliteOutbox box = SqliteOutbox.open(db, new SqliteOutbox.Settings(4L << 30, Duration.ofMillis(100), BATCH, 1))) {
            MqttUplink uplink = new MqttUplink(platform, uri, db.getParent(), false, "bench", box, () -> "{\"state\":\"online\"}",
                    () -> "{\"state\":\"offline\"}", payload -> { }, alarm -> { });
            long t0 = System.nanoTime();
            uplink.start();
            while (box.stats().rows() > 0) {
                Thread.sleep(5);
            }
            double rate = n / ((System.nanoTime() - t0) / 1e9);
            uplink.close();
            return rate;
        }
    }

    /** Round trips as the platform sees them: publish a {@code cmd}, wait for its {@code cmd/result}. */
    private static void commandLatency(Path dir, Mosquitto broker, int count) throws Exception {
        Profile profile = Profiles.load(dir, "cmd", Profiles.gateway(broker.uri(), "{path: cmd-outbox.db, max-bytes: 64MiB}",
                ""));
        Gateway g = Gateway.start(profile, dir.resolve("cmd-data"), false);
        try (Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/cmd/result")) {
            while (!g.uplink().connected()) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            long[] micros = new long[count];
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                sub.publish("sg/v1/pole-it/cmd", "{\"id\":\"bench-" + i + "\",\"device\":\"gateway\",\"action\":\"ping\"}");
                sub.next("/cmd/result", Duration.ofSeconds(10));
                micros[i] = (System.nanoTime() - t0) / 1000;
            }
            Arrays.sort(micros);
            System.out.printf("command  round trip over loopback Mosquitto: p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d commands; target p99 <= 20 ms)%n",
                    micros[count / 2] / 1000.0, micros[(int) (count * 0.99)] / 1000.0, micros[count - 1] / 1000.0, count);
        } finally {
            g.close();
        }
    }

    private DataPathBenchmark() {}
}
