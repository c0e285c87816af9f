package org.streetgate.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox on a real SQLite file. */
class SqliteOutboxTest {
    @TempDir
    Path dir;

    private SqliteOutbox open(long maxBytes) {
        return SqliteOutbox.open(dir.resolve("outbox.db"), new SqliteOutbox.Settings(maxBytes, Duration.ofMillis(20), 1000, 7));
    }

    private static String body(int i) {
        return "\"device\":\"air-1\",\"metrics\":{\"pm2_5_ug_m3\":" + i + "}}";
    }

    @Test
    void seq_is_consecutive_across_kinds_and_continues_after_reopen() throws Exception {
        try (SqliteOutbox box = open(64 << 20)) {
            assertEquals(1, box.append(Kind.TELEMETRY, 1000, body(1), false));
            assertEquals(2, box.append(Kind.EVENT, 1001, body(2), true));
            assertEquals(3, box.append(Kind.TELEMETRY, 1002, body(3), false));
        }
        try (SqliteOutbox box = open(64 << 20)) {
            assertEquals(4, box.append(Kind.TELEMETRY, 1003, body(4), false));
            List<Row> rows = box.read(Kind.TELEMETRY, 0, 10, 1 << 20);
            assertEquals(List.of(1L, 3L, 4L), rows.stream().map(Row::seq).toList());
            assertEquals(body(3), rows.get(1).body());
        }
    }

    @Test
    void acknowledged_record_is_already_committed_in_the_file() throws Exception {
        try (SqliteOutbox box = open(64 << 20);
             Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("outbox.db"))) {
            long seq = box.append(Kind.TELEMETRY, 1000, body(9), false);
            try (ResultSet rs = other.createStatement().executeQuery("SELECT body FROM telemetry WHERE seq=" + seq)) {
                assertTrue(rs.next(), "another connection sees the row as soon as append returned");
                assertEquals(body(9), rs.getString(1));
            }
        }
    }

    @Test
    void seq_is_never_reused_after_every_row_was_deleted() throws Exception {
        try (SqliteOutbox box = open(64 << 20)) {
            for (int i = 0; i < 10; i++) {
                box.append(Kind.TELEMETRY, 1000 + i, body(i), false);
            }
            box.delete(Kind.TELEMETRY, 1, 10).get();
            assertEquals(0, box.stats().rows());
        }
        try (SqliteOutbox box = open(64 << 20)) {
            assertEquals(11, box.append(Kind.TELEMETRY, 2000, body(0), false));
        }
    }

    @Test
    void concurrent_producers_share_group_commits() throws Exception {
        try (SqliteOutbox box = open(64 << 20)) {
            List<Thread> producers = new ArrayList<>();
            List<Long> seqs = new CopyOnWriteArrayList<>();
            for (int p = 0; p < 20; p++) {
                producers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 50; i++) {
                        try {
                            seqs.add(box.append(Kind.TELEMETRY, 1000, body(i), false));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }));
            }
            for (Thread t : producers) {
                t.join();
            }
            assertEquals(1000, seqs.size());
            assertEquals(1000, seqs.stream().distinct().count(), "every record got its own seq");
            SqliteOutbox.Stats s = box.stats();
            assertEquals(1000, s.committedRecords());
            assertTrue(s.commits() < 500, "1000 records in " + s.commits() + " commits");
        }
    }

    @Test
    void full_budget_evicts_oldest_telemetry_first_and_keeps_events() throws Exception {
        long budget = 1 << 20;
        List<Map<Kind, Long>> announced = new CopyOnWriteArrayList<>();
        String big = "\"device\":\"air-1\",\"metrics\":{\"x\":1},\"pad\":\"" + "p".repeat(400) + "\"}";
        try (SqliteOutbox box = open(budget)) {
            box.onEviction(announced::add);
            for (int i = 0; i < 20; i++) {
                box.append(Kind.EVENT, 1000 + i, big, false);
            }
            for (int i = 0; i < 6000; i++) {
                box.appendAsync(Kind.TELEMETRY, 2000 + i, false, 0, big, false);
            }
            box.flush();
            SqliteOutbox.Stats s = box.stats();
            assertFalse(announced.isEmpty(), "evictions are announced");
            long evictedTelemetry = s.evicted().get(Kind.TELEMETRY);
            assertTrue(evictedTelemetry > 0);
            assertEquals(0, s.evicted().get(Kind.EVENT), "events stay while telemetry can go");
            assertEquals(20, s.rowsByKind().get(Kind.EVENT));
            assertEquals(6000 - evictedTelemetry, s.rowsByKind().get(Kind.TELEMETRY), "nothing else went missing");
            // The oldest went first: what is left is the newest, in order.
            List<Row> left = box.read(Kind.TELEMETRY, 0, 1, 1 << 20);
            assertEquals(21 + evictedTelemetry, left.getFirst().seq());
            assertTrue(box.usedBytes() <= budget, "used " + box.usedBytes() + " of " + budget);
            assertTrue(s.fileBytes() <= budget + (budget / 4), "files " + s.fileBytes() + " within the budget plus margin");
        }
        try (SqliteOutbox box = open(budget)) {
            assertTrue(box.evicted().get(Kind.TELEMETRY) > 0, "eviction counts survive a restart");
        }
    }

    @Test
    void events_are_evicted_only_when_they_alone_fill_the_budget() throws Exception {
        String big = "\"device\":\"door\",\"type\":\"door.opened\",\"severity\":\"info\",\"data\":{\"pad\":\"" + "p".repeat(400) + "\"}}";
        try (SqliteOutbox box = open(1 << 20)) {
            box.append(Kind.TELEMETRY, 1, body(1), false);
            for (int i = 0; i < 4000; i++) {
                box.appendAsync(Kind.EVENT, 1000 + i, false, 0, big, false);
            }
            box.flush();
            SqliteOutbox.Stats s = box.stats();
            assertEquals(1, s.evicted().get(Kind.TELEMETRY), "the single reading went first");
            assertTrue(s.evicted().get(Kind.EVENT) > 0, "then the oldest events");
            assertEquals(4000 - s.evicted().get(Kind.EVENT), s.rowsByKind().get(Kind.EVENT));
        }
    }

    @Test
    void corrupt_database_is_moved_aside_and_seq_continues_above_every_seq_used() throws Exception {
        long last;
        try (SqliteOutbox box = open(64 << 20)) {
            for (int i = 0; i < 25; i++) {
                box.append(Kind.TELEMETRY, 1000 + i, body(i), false);
            }
            last = box.lastSeq();
        }
        Path db = dir.resolve("outbox.db");
        byte[] garbage = new byte[4096];
        java.util.Arrays.fill(garbage, (byte) 0x5A);
        try (var ch = java.nio.channels.FileChannel.open(db, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(garbage), 0);
        }
        try (SqliteOutbox box = open(64 << 20)) {
            SqliteOutbox.Recovery r = box.recovery().orElseThrow();
            assertTrue(Files.exists(r.movedTo()), "the damaged file is kept at " + r.movedTo());
            assertTrue(r.movedTo().getFileName().toString().startsWith("outbox.db.corrupt-"));
            long next = box.append(Kind.TELEMETRY, 5000, body(0), false);
            assertTrue(next > last, "seq " + next + " continues above " + last);
        }
        try (SqliteOutbox box = open(64 << 20)) {
            assertTrue(box.recovery().isEmpty(), "the fresh file is sound on the next start");
        }
    }

    @Test
    void deleted_database_resumes_above_the_reserved_seq() throws Exception {
        long last;
        try (SqliteOutbox box = open(64 << 20)) {
            box.append(Kind.TELEMETRY, 1000, body(1), false);
            last = box.lastSeq();
        }
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(dir.resolve("outbox.db") + suffix));
        }
        try (SqliteOutbox box = open(64 << 20)) {
            assertTrue(box.recovery().isPresent());
            assertTrue(box.append(Kind.TELEMETRY, 1000, body(1), false) > last);
        }
    }

    @Test
    void unsynced_records_of_this_boot_get_their_time_corrected() throws Exception {
        try (SqliteOutbox box = open(64 << 20)) {
            box.append(Kind.TELEMETRY, 5, true, 1_000, body(1), false);    // clock at 1970, 1 s after boot
            box.append(Kind.TELEMETRY, 1_800_000_000_000L, body(2), false); // a synced one
            long corrected = box.correctUnsynced(1_799_999_990_000L).get();
            assertEquals(1, corrected);
            List<Row> rows = box.read(Kind.TELEMETRY, 0, 10, 1 << 20);
            assertEquals(1_799_999_991_000L, rows.get(0).ts());
            assertFalse(rows.get(0).unsynced());
            assertEquals(1_800_000_000_000L, rows.get(1).ts());
        }
    }

    @Test
    void batch_reads_respect_the_byte_limit_but_always_return_one_row() throws Exception {
        try (SqliteOutbox box = open(64 << 20)) {
            for (int i = 0; i < 100; i++) {
                box.appendAsync(Kind.TELEMETRY, 1000, false, 0, body(i), false);
            }
            box.flush();
            List<Row> rows = box.read(Kind.TELEMETRY, 0, 100, 1000);
            assertTrue(rows.size() > 1 && rows.size() < 100, "got " + rows.size());
            assertEquals(1, box.read(Kind.TELEMETRY, 0, 100, 1).size());
            AtomicInteger n = new AtomicInteger();
            rows.forEach(r -> assertEquals(n.incrementAndGet(), r.seq()));
        }
    }
}
