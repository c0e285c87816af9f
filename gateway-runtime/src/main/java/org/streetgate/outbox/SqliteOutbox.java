package org.streetgate.outbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * The durable buffer between devices and the uplink: one SQLite file in WAL mode with
 * {@code synchronous=FULL}, so a committed transaction survives power loss.
 *
 * <p>One writer thread owns every change. Producers hand it records and wait; it groups whatever
 * arrives within the commit window (or up to {@code commitRecords}) into one transaction, assigns
 * each record the next gateway-wide {@code seq}, commits, and only then releases the producers.
 * Deletes after PUBACK go through the same thread and are grouped the same way. The highest seq
 * ever assigned is kept in {@code meta}, so seq never repeats even when tables are emptied.
 */
public final class SqliteOutbox implements AutoCloseable {
    /** A change waiting for the writer. */
    private sealed interface Op {
        CompletableFuture<Long> done();
    }

    private record Append(Kind kind, long ts, boolean unsynced, String body, boolean urgent,
                          CompletableFuture<Long> done) implements Op {}

    private record Delete(Kind kind, long firstSeq, long lastSeq, CompletableFuture<Long> done) implements Op {}

    private record Barrier(CompletableFuture<Long> done) implements Op {}

    public record Stats(long rows, long bytes, long oldestTs, Map<Kind, Long> rowsByKind, long lastSeq,
                        long committedRecords, long commits, long fileBytes) {}

    private final Path file;
    private final Duration window;
    private final int commitRecords;
    private final Connection writer;
    private final Connection reader;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread writerThread;
    private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();
    private final Map<Kind, PreparedStatement> inserts = new EnumMap<>(Kind.class);
    private final Map<Kind, PreparedStatement> deletes = new EnumMap<>(Kind.class);
    private final PreparedStatement saveSeq;
    private final AtomicLong committedRecords = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private volatile long lastSeq;
    private volatile boolean closed;
    private long lastCommitNanos;

    private SqliteOutbox(Path file, Duration window, int commitRecords) throws SQLException {
        this.file = file;
        this.window = window;
        this.commitRecords = commitRecords;
        this.writer = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = writer.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            for (Kind k : Kind.values()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + k.table()
                        + "(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, unsynced INTEGER NOT NULL, body TEXT NOT NULL)");
            }
        }
        writer.setAutoCommit(false);
        writer.commit();
        long seq = queryLong(writer, "SELECT value FROM meta WHERE key='seq'");
        for (Kind k : Kind.values()) {
            seq = Math.max(seq, queryLong(writer, "SELECT max(seq) FROM " + k.table()));
            inserts.put(k, writer.prepareStatement("INSERT INTO " + k.table() + "(seq, ts, unsynced, body) VALUES (?,?,?,?)"));
            deletes.put(k, writer.prepareStatement("DELETE FROM " + k.table() + " WHERE seq BETWEEN ? AND ?"));
        }
        this.lastSeq = seq;
        this.saveSeq = writer.prepareStatement("INSERT INTO meta(key, value) VALUES('seq', ?) "
                + "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
        this.reader = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = reader.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
        }
        this.writerThread = Thread.ofPlatform().name("outbox-writer").daemon().start(this::writeLoop);
    }

    /** Opens (or creates) the outbox file. */
    public static SqliteOutbox open(Path file, Duration commitWindow, int commitRecords) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new SqliteOutbox(file, commitWindow, commitRecords);
        } catch (SQLException | java.io.IOException e) {
            throw new OutboxException("cannot open outbox " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Called after every commit that added rows, e.g. to wake the uplink. */
    public void onCommit(Runnable listener) {
        commitListeners.add(listener);
    }

    /**
     * Stores a record and returns its seq once the transaction holding it has committed.
     *
     * @param urgent commit without waiting out the window (command results, alarms)
     */
    public long append(Kind kind, long ts, boolean unsynced, String body, boolean urgent) throws InterruptedException {
        return await(appendAsync(kind, ts, unsynced, body, urgent));
    }

    public CompletableFuture<Long> appendAsync(Kind kind, long ts, boolean unsynced, String body, boolean urgent) {
        return submit(new Append(kind, ts, unsynced, body, urgent, new CompletableFuture<>()));
    }

    /** Deletes a published range of one kind; the future completes when the delete has committed. */
    public CompletableFuture<Long> delete(Kind kind, long firstSeq, long lastSeq) {
        return submit(new Delete(kind, firstSeq, lastSeq, new CompletableFuture<>()));
    }

    /** Waits until everything submitted so far has committed. */
    public void flush() throws InterruptedException {
        await(submit(new Barrier(new CompletableFuture<>())));
    }

    private CompletableFuture<Long> submit(Op op) {
        if (closed) {
            op.done().completeExceptionally(new OutboxException("outbox is closed"));
        } else {
            queue.add(op);
        }
        return op.done();
    }

    private static long await(CompletableFuture<Long> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OutboxException oe) {
                throw oe;
            }
            throw new OutboxException("outbox write failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Up to {@code maxRecords} rows of one kind after {@code afterSeq}, in seq order, within {@code maxBytes}. */
    public List<Row> read(Kind kind, long afterSeq, int maxRecords, int maxBytes) {
        List<Row> rows = new ArrayList<>();
        synchronized (reader) {
            try (PreparedStatement ps = reader.prepareStatement(
                    "SELECT seq, ts, unsynced, body FROM " + kind.table() + " WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, afterSeq);
                ps.setInt(2, maxRecords);
                long bytes = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String body = rs.getString(4);
                        bytes += body.length() + 48;
                        if (bytes > maxBytes && !rows.isEmpty()) {
                            break;
                        }
                        rows.add(new Row(rs.getLong(1), rs.getLong(2), rs.getInt(3) != 0, body));
                    }
                }
            } catch (SQLException e) {
                throw new OutboxException("cannot read outbox: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    public long lastSeq() {
        return lastSeq;
    }

    public Stats stats() {
        Map<Kind, Long> byKind = new EnumMap<>(Kind.class);
        long rows = 0;
        long bytes = 0;
        long oldest = 0;
        synchronized (reader) {
            try (Statement s = reader.createStatement()) {
                for (Kind k : Kind.values()) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(length(body)),0), min(ts) FROM " + k.table())) {
                        rs.next();
                        byKind.put(k, rs.getLong(1));
                        rows += rs.getLong(1);
                        bytes += rs.getLong(2);
                        long ts = rs.getLong(3);
                        if (!rs.wasNull() && (oldest == 0 || ts < oldest)) {
                            oldest = ts;
                        }
                    }
                }
            } catch (SQLException e) {
                throw new OutboxException("cannot read outbox stats: " + e.getMessage(), e);
            }
        }
        return new Stats(rows, bytes, oldest, byKind, lastSeq, committedRecords.get(), commits.get(), fileBytes());
    }

    /** The database and its WAL, as they take space on the card. */
    public long fileBytes() {
        long total = 0;
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            try {
                total += Files.size(Path.of(file + suffix));
            } catch (java.io.IOException ignored) {
                // the WAL may not exist right now
            }
        }
        return total;
    }

    private void writeLoop() {
        List<Op> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Op first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                gather(batch);
                commit(batch);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } catch (SQLException | RuntimeException e) {
                Logger.error(e, "outbox: commit failed, records not acknowledged: {}", e.getMessage());
                for (Op op : batch) {
                    op.done().completeExceptionally(new OutboxException("commit failed: " + e.getMessage(), e));
                }
                try {
                    for (PreparedStatement ps : inserts.values()) {
                        ps.clearBatch();
                    }
                    writer.rollback();
                } catch (SQLException ignored) {
                    // the connection is unusable; close() reports it
                }
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Collects more work for this transaction. An idle outbox commits at once; a busy one commits
     * at most once per window, so many producers share one fsync.
     */
    private void gather(List<Op> batch) throws InterruptedException {
        long deadline = lastCommitNanos + window.toNanos();
        int appends = batch.get(0) instanceof Append ? 1 : 0;
        boolean urgent = batch.get(0) instanceof Append a && a.urgent() || batch.get(0) instanceof Barrier;
        while (appends < commitRecords) {
            Op next = queue.poll();
            if (next == null) {
                long left = deadline - System.nanoTime();
                if (urgent || left <= 0) {
                    return;
                }
                next = queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    return;
                }
            }
            batch.add(next);
            if (next instanceof Append a) {
                appends++;
                urgent |= a.urgent();
            } else if (next instanceof Barrier) {
                urgent = true;
            }
        }
    }

    private void commit(List<Op> batch) throws SQLException {
        long seq = lastSeq;
        long[] assigned = new long[batch.size()];
        boolean added = false;
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i)) {
                case Append a -> {
                    PreparedStatement ps = inserts.get(a.kind());
                    ps.setLong(1, ++seq);
                    ps.setLong(2, a.ts());
                    ps.setInt(3, a.unsynced() ? 1 : 0);
                    ps.setString(4, a.body());
                    ps.addBatch();
                    assigned[i] = seq;
                    added = true;
                }
                case Delete d -> {
                    PreparedStatement ps = deletes.get(d.kind());
                    ps.setLong(1, d.firstSeq());
                    ps.setLong(2, d.lastSeq());
                    ps.executeUpdate();
                }
                case Barrier b -> { }
            }
        }
        for (PreparedStatement ps : inserts.values()) {
            ps.executeBatch();
        }
        if (seq != lastSeq) {
            saveSeq.setLong(1, seq);
            saveSeq.executeUpdate();
        }
        writer.commit();
        lastCommitNanos = System.nanoTime();
        commits.incrementAndGet();
        long n = seq - lastSeq;
        committedRecords.addAndGet(n);
        lastSeq = seq;
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(assigned[i]);
        }
        if (added) {
            for (Runnable r : commitListeners) {
                r.run();
            }
        }
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Commits what is queued, then closes the file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writerThread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Op op; (op = queue.poll()) != null; ) {
            op.done().completeExceptionally(new OutboxException("outbox is closed"));
        }
        try {
            synchronized (reader) {
                reader.close();
            }
            writer.close();
        } catch (SQLException e) {
            Logger.warn("outbox: closing {}: {}", file, e.getMessage());
        }
    }
}
