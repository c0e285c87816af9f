package org.streetgate.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.testing.Await;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Commits that fail, on the real file: an injected I/O error, SQLite's own SQLITE_FULL and
 * SQLITE_READONLY, and a checkpoint that fails after a good commit. After each, the file is
 * reopened and must hold every acknowledged record exactly once, none that was refused, with seq
 * increasing across the failure and the reopen.
 */
class SqliteOutboxFaultTest {
    @TempDir
    Path dir;

    private SqliteOutbox open(long maxBytes, SqliteOutbox.Faults faults) {
        return SqliteOutbox.open(dir.resolve("outbox.db"),
                new SqliteOutbox.Settings(maxBytes, Duration.ofMillis(5), 1000, 7, faults));
    }

    private static String body(int i) {
        return "\"device\":\"air-1\",\"metrics\":{\"n\":" + i + "}}";
    }

    /** What the producers were told: acknowledged seq per body, and the bodies that were refused. */
    private record Outcome(Map<String, Long> acked, List<String> refused, List<String> errors) {}

    private static Outcome appendEach(SqliteOutbox box, int from, int count) throws InterruptedException {
        Map<String, Long> acked = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            try {
                // urgent: one commit per record, so faults land between known records
                acked.put(body(i), box.append(Kind.TELEMETRY, 1000 + i, body(i), true));
            } catch (OutboxException e) {
                refused.add(body(i));
                errors.add(e.getMessage());
            }
        }
        return new Outcome(acked, refused, errors);
    }

    /** Reopens the file without faults and checks it against what producers were told. */
    private void assertFileHolds(Outcome... outcomes) throws InterruptedException {
        Map<String, Long> acked = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        for (Outcome o : outcomes) {
            acked.putAll(o.acked());
            refused.addAll(o.refused());
        }
        try (SqliteOutbox box = open(64 << 20, SqliteOutbox.Faults.NONE)) {
            List<Row> rows = box.read(Kind.TELEMETRY, 0, 1_000_000, Integer.MAX_VALUE);
            Map<String, Long> inFile = new LinkedHashMap<>();
            long previous = 0;
            for (Row r : rows) {
                assertTrue(r.seq() > previous, "seq increasing: " + r.seq() + " after " + previous);
                previous = r.seq();
                assertEquals(null, inFile.put(r.body(), r.seq()), "stored twice: " + r.body());
            }
            assertEquals(acked, inFile, "exactly the acknowledged records, with the seq they were given");
            for (String b : refused) {
                assertFalse(inFile.containsKey(b), "a refused record must not appear later: " + b);
            }
            long next = box.append(Kind.TELEMETRY, 5000, body(999_999), true);
            long maxAcked = acked.values().stream().mapToLong(Long::longValue).max().orElse(0);
            assertTrue(next > maxAcked, "seq continues above every acknowledged one: " + next + " vs " + maxAcked);
        }
    }

    @Test
    void an_io_error_at_commit_refuses_that_record_only() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        SqliteOutbox.Faults everyThird = (point, writer) -> {
            if (point == SqliteOutbox.Faults.Point.COMMIT && commits.incrementAndGet() % 3 == 0) {
                throw new SQLiteException("disk I/O error (injected)", SQLiteErrorCode.SQLITE_IOERR);
            }
        };
        Outcome o;
        try (SqliteOutbox box = open(64 << 20, everyThird)) {
            o = appendEach(box, 0, 60);
            assertEquals(20, o.refused().size(), "every third commit failed: " + o.errors());
            assertTrue(o.errors().getFirst().contains("disk I/O error"), o.errors().getFirst());
            assertEquals(40, box.stats().rows(), "the in-memory count follows only committed rows");
            assertEquals(20, box.commitFailures(), "each failed commit counted for health");
        }
        assertFileHolds(o);
    }

    @Test
    void sqlite_full_refuses_records_until_space_returns() throws Exception {
        AtomicBoolean full = new AtomicBoolean();
        AtomicBoolean applied = new AtomicBoolean();
        SqliteOutbox.Faults diskFull = (point, writer) -> {
            if (point == SqliteOutbox.Faults.Point.BEGIN && full.get() != applied.get()) {
                try (Statement s = writer.createStatement()) {
                    // SQLite's own limit: the file may not grow past its current pages (+1), or grows freely again.
                    s.execute(full.get() ? "PRAGMA max_page_count=" + (pages(writer) + 1) : "PRAGMA max_page_count=1073741823");
                }
                applied.set(full.get());
            }
        };
        Outcome before;
        Outcome during;
        Outcome after;
        Outcome lift;
        try (SqliteOutbox box = open(64 << 20, diskFull)) {
            before = appendEach(box, 0, 20);
            assertTrue(before.refused().isEmpty(), before.errors().toString());
            full.set(true);
            during = appendEach(box, 20, 400);
            assertFalse(during.refused().isEmpty(), "the file filled up");
            assertTrue(during.errors().stream().anyMatch(e -> e.contains("full")), during.errors().toString());
            full.set(false);
            lift = appendEach(box, 420, 1);
            assertTrue(lift.refused().isEmpty(), "the limit is lifted before the next write: " + lift.errors());
            after = appendEach(box, 421, 20);
            assertTrue(after.refused().isEmpty(), "space is back: " + after.errors());
        }
        assertFileHolds(before, during, lift, after);
    }

    @Test
    void a_read_only_database_refuses_records_and_recovers() throws Exception {
        AtomicBoolean readOnly = new AtomicBoolean();
        SqliteOutbox.Faults faults = (point, writer) -> {
            if (point == SqliteOutbox.Faults.Point.BEGIN) {
                try (Statement s = writer.createStatement()) {
                    s.execute("PRAGMA query_only=" + (readOnly.get() ? 1 : 0));
                }
            }
        };
        Outcome a;
        Outcome b;
        Outcome c;
        try (SqliteOutbox box = open(64 << 20, faults)) {
            a = appendEach(box, 0, 10);
            readOnly.set(true);
            b = appendEach(box, 10, 10);
            assertEquals(10, b.refused().size(), "writes refused while read-only: " + b);
            assertTrue(b.errors().stream().anyMatch(e -> e.contains("readonly")), b.errors().toString());
            readOnly.set(false);
            c = appendEach(box, 20, 10);
            assertEquals(10, c.acked().size(), "writes accepted again: " + c.errors());
        }
        assertFileHolds(a, b, c);
    }

    @Test
    void a_failed_checkpoint_after_a_good_commit_acknowledges_and_still_reports_evictions() throws Exception {
        SqliteOutbox.Faults noCheckpoint = (point, writer) -> {
            if (point == SqliteOutbox.Faults.Point.CHECKPOINT) {
                throw new SQLiteException("disk I/O error (injected into the checkpoint)", SQLiteErrorCode.SQLITE_IOERR);
            }
        };
        List<Map<Kind, Long>> reports = new ArrayList<>();
        AtomicInteger commitsWithRows = new AtomicInteger();
        Outcome o;
        long failures;
        try (SqliteOutbox box = open(512 * 1024, noCheckpoint)) {
            box.onEviction(reports::add);
            box.onCommit(commitsWithRows::incrementAndGet);
            String pad = "x".repeat(2000);
            Map<String, Long> acked = new LinkedHashMap<>();
            for (int i = 0; i < 600; i++) {
                String b = "\"device\":\"air-1\",\"metrics\":{\"n\":" + i + "},\"pad\":\"" + pad + "\"}";
                acked.put(b, box.append(Kind.TELEMETRY, 1000 + i, b, true)); // throws if wrongly refused
            }
            o = new Outcome(acked, List.of(), List.of());
            failures = box.checkpointFailures();
            // Listeners run just after the producer is released: wait for the last one.
            Await.until(Duration.ofSeconds(5), () -> commitsWithRows.get() == 600,
                    () -> "every commit wakes the uplink, checkpoint or not: " + commitsWithRows.get());
            assertFalse(reports.isEmpty(), "the budget filled and the eviction was reported");
            long evicted = box.evicted().getOrDefault(Kind.TELEMETRY, 0L);
            assertEquals(evicted, reports.stream().mapToLong(r -> r.getOrDefault(Kind.TELEMETRY, 0L)).sum(),
                    "every eviction reported");
            // What the budget evicted is gone on purpose; the rest must be intact.
            List<Row> rows = box.read(Kind.TELEMETRY, 0, 1_000_000, Integer.MAX_VALUE);
            assertEquals(600 - evicted, rows.size());
            o.acked().keySet().retainAll(rows.stream().map(Row::body).toList());
        }
        assertTrue(failures > 0, "the checkpoints did fail");
        assertFileHolds(o);
    }

    private static long pages(java.sql.Connection c) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA page_count")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
