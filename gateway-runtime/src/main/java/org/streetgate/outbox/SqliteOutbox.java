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

    private record Append(Kind kind, long ts, boolean unsynced, long sinceBoot, String body, boolean urgent,
                          CompletableFuture<Long> done) implements Op {}

    /** Several records of one kind from one producer, acknowledged together with the last seq. */
    private record AppendMany(Kind kind, List<Entry> entries, CompletableFuture<Long> done) implements Op {}

    /** One record to store: its time (see {@link org.streetgate.clock.Timestamps}) and its JSON body. */
    public record Entry(long ts, boolean unsynced, long sinceBoot, String body) {}

    /** Turns boot-relative stamps of this boot into wall-clock times once the clock is plausible. */
    private record Correct(long offset, CompletableFuture<Long> done) implements Op {}

    private record Delete(Kind kind, long firstSeq, long lastSeq, CompletableFuture<Long> done) implements Op {}

    private record Barrier(CompletableFuture<Long> done) implements Op {}

    public record Stats(long rows, long bytes, long oldestTs, Map<Kind, Long> rowsByKind, long lastSeq,
                        long committedRecords, long commits, long fileBytes, Map<Kind, Long> evicted) {}

    /** What happened when the file could not be used at start-up. */
    public record Recovery(Path movedTo, String reason, long resumedAfterSeq) {}

    /**
     * Settings: the budget for database plus WAL, and the group-commit window and size.
     *
     * @param faults where fault-injection tests make SQLite fail; {@link Faults#NONE} otherwise
     */
    public record Settings(long maxBytes, Duration commitWindow, int commitRecords, long bootId, Faults faults) {
        public Settings(long maxBytes, Duration commitWindow, int commitRecords, long bootId) {
            this(maxBytes, commitWindow, commitRecords, bootId, Faults.NONE);
        }
    }

    /**
     * The seam for fault-injection tests (as SQLite's and Tape's own test suites do): called on the
     * writer thread before each transaction's first write, before its commit and before each WAL
     * checkpoint, with the writer connection, so
     * a test can throw (an I/O error) or make SQLite itself fail the next write (SQLITE_FULL through
     * {@code max_page_count}, SQLITE_READONLY through {@code query_only}).
     */
    @FunctionalInterface
    public interface Faults {
        enum Point { BEGIN, COMMIT, CHECKPOINT }

        Faults NONE = (point, writer) -> { };

        void at(Point point, Connection writer) throws SQLException;
    }

    private final Path file;
    private final Duration window;
    private final int commitRecords;
    private final long maxBytes;
    private final long bootId;
    private final Faults faults;
    private final AtomicLong checkpointFailures = new AtomicLong();
    private final AtomicLong commitFailures = new AtomicLong();
    private Connection writer; // replaced after a failed commit: see reopenWriter

    private final Connection reader;
    private final SeqReserve reserve;
    private final Recovery recovery;
    private final Map<Kind, Long> rowCount = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Kind, Long> evicted = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<java.util.function.Consumer<Map<Kind, Long>>> evictionListeners = new CopyOnWriteArrayList<>();
    private final long pageSize;
    /** Bytes a row takes beyond its body: seq, ts, flags and b-tree cell overhead. */
    private static final int ROW_OVERHEAD = 40;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread writerThread;
    private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();
    private final Map<Kind, PreparedStatement> inserts = new EnumMap<>(Kind.class);
    private final Map<Kind, PreparedStatement> deletes = new EnumMap<>(Kind.class);
    private PreparedStatement saveSeq;
    private final AtomicLong committedRecords = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private volatile long lastSeq;
    private volatile boolean closed;
    private long lastCommitNanos;

    private SqliteOutbox(Path file, Settings settings) throws SQLException {
        this.file = file;
        this.window = settings.commitWindow();
        this.commitRecords = settings.commitRecords();
        this.maxBytes = settings.maxBytes();
        this.bootId = settings.bootId();
        this.faults = settings.faults();
        this.reserve = new SeqReserve(file);
        boolean existed = Files.exists(file);
        String problem = existed ? check(file) : null;
        Recovery rec = null;
        if (problem != null) {
            rec = new Recovery(moveAside(file), problem, reserve.reserved());
        } else if (!existed && reserve.reserved() > 0) {
            rec = new Recovery(null, "the outbox file was missing", reserve.reserved());
        }
        this.recovery = rec;
        this.writer = connectWriter();
        try (Statement s = writer.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            for (Kind k : Kind.values()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + k.table() + "(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
                        + " unsynced INTEGER NOT NULL, body TEXT NOT NULL, since_boot INTEGER, boot INTEGER)");
            }
        }
        writer.setAutoCommit(false);
        writer.commit();
        this.pageSize = queryLong(writer, "PRAGMA page_size");
        long seq = Math.max(queryLong(writer, "SELECT value FROM meta WHERE key='seq'"), rec == null ? 0 : rec.resumedAfterSeq());
        for (Kind k : Kind.values()) {
            seq = Math.max(seq, queryLong(writer, "SELECT max(seq) FROM " + k.table()));
            rowCount.put(k, queryLong(writer, "SELECT count(*) FROM " + k.table()));
            evicted.put(k, queryLong(writer, "SELECT value FROM meta WHERE key='evicted_" + k.table() + "'"));
        }
        this.lastSeq = seq;
        prepareWrites();
        if (rec != null) {
            saveSeq.setLong(1, seq);
            saveSeq.executeUpdate();
            writer.commit();
        }
        this.reader = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = reader.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
        }
        this.writerThread = Thread.ofPlatform().name("outbox-writer").daemon().start(this::writeLoop);
    }

    private Connection connectWriter() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=5000");
            // The WAL file shrinks back after a checkpoint instead of keeping its largest size.
            s.execute("PRAGMA journal_size_limit=" + walLimit(maxBytes));
        }
        return c;
    }

    private void prepareWrites() throws SQLException {
        for (Kind k : Kind.values()) {
            inserts.put(k, writer.prepareStatement("INSERT INTO " + k.table()
                    + "(seq, ts, unsynced, body, since_boot, boot) VALUES (?,?,?,?,?,?)"));
            deletes.put(k, writer.prepareStatement("DELETE FROM " + k.table() + " WHERE seq BETWEEN ? AND ?"));
        }
        saveSeq = writer.prepareStatement("INSERT INTO meta(key, value) VALUES('seq', ?) "
                + "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
    }

    /**
     * After a failed commit, starts over on a fresh connection. SQLite may already have rolled the
     * transaction back by itself (SQLITE_FULL, SQLITE_IOERR), and the driver's idea of "in a
     * transaction" no longer matches the file's: the next writes would then commit one by one
     * behind a "commit failed" answer. A new connection has no such history.
     */
    private void reopenWriter() {
        try {
            writer.rollback();
        } catch (SQLException e) {
            Logger.debug("outbox: rollback after a failed commit: {}", e.getMessage());
        }
        try {
            writer.close();
        } catch (SQLException e) {
            Logger.debug("outbox: closing the failed writer: {}", e.getMessage());
        }
        try {
            writer = connectWriter();
            writer.setAutoCommit(false);
            prepareWrites();
        } catch (SQLException e) {
            // The next commit fails again and comes back here: nothing is acknowledged meanwhile.
            Logger.error("outbox: cannot reopen {} after a failed commit: {}", file, e.getMessage());
        }
    }

    /** Returns why the file cannot be used, or null when it is sound. */
    private static String check(Path file) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA quick_check(1)")) {
            String result = rs.next() ? rs.getString(1) : "no answer";
            return "ok".equals(result) ? null : "integrity check failed: " + result;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /** Keeps a damaged file for inspection: it is renamed, with its WAL, never deleted. */
    private static Path moveAside(Path file) {
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        Path target = Path.of(file + ".corrupt-" + stamp);
        try {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Path from = Path.of(file + suffix);
                if (Files.exists(from)) {
                    Files.move(from, Path.of(target + suffix), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (java.io.IOException e) {
            throw new OutboxException("the outbox " + file + " is unusable and cannot be moved aside: " + e.getMessage(), e);
        }
        Logger.error("outbox {} is unusable; moved it to {} and started a fresh one", file, target);
        return target;
    }

    private static long walLimit(long maxBytes) {
        return Math.max(256 * 1024, Math.min(4L << 20, maxBytes / 16));
    }

    /** Opens (or creates) the outbox file; a file that cannot be used is moved aside (see {@link #recovery()}). */
    public static SqliteOutbox open(Path file, Settings settings) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new SqliteOutbox(file, settings);
        } catch (SQLException | java.io.IOException e) {
            throw new OutboxException("cannot open outbox " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Present when the file found at start-up was unusable or missing and a fresh one was started. */
    public java.util.Optional<Recovery> recovery() {
        return java.util.Optional.ofNullable(recovery);
    }

    /** Called after an eviction with the counts evicted by it, per kind. */
    public void onEviction(java.util.function.Consumer<Map<Kind, Long>> listener) {
        evictionListeners.add(listener);
    }

    public Map<Kind, Long> evicted() {
        return new EnumMap<>(evicted);
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
    public long append(Kind kind, long ts, boolean unsynced, long sinceBoot, String body, boolean urgent)
            throws InterruptedException {
        return await(appendAsync(kind, ts, unsynced, sinceBoot, body, urgent));
    }

    public long append(Kind kind, long ts, String body, boolean urgent) throws InterruptedException {
        return append(kind, ts, false, 0, body, urgent);
    }

    public CompletableFuture<Long> appendAsync(Kind kind, long ts, boolean unsynced, long sinceBoot, String body,
                                               boolean urgent) {
        return submit(new Append(kind, ts, unsynced, sinceBoot, body, urgent, new CompletableFuture<>()));
    }

    /**
     * Stores several records of one kind in the same transaction; the future completes with the
     * seq of the last once they are committed. For producers that take many readings at once.
     */
    public CompletableFuture<Long> appendAllAsync(Kind kind, List<Entry> entries) {
        return submit(new AppendMany(kind, List.copyOf(entries), new CompletableFuture<>()));
    }

    /**
     * Rewrites the time of every unsynced record of this boot as {@code sinceBoot + offset}; the
     * future completes with the number of records corrected.
     */
    public CompletableFuture<Long> correctUnsynced(long offset) {
        return submit(new Correct(offset, new CompletableFuture<>()));
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

    /** Cheap to call often: row counts are kept in memory, sizes come from page counts. */
    public Stats stats() {
        Map<Kind, Long> byKind = new EnumMap<>(rowCount);
        long rows = byKind.values().stream().mapToLong(Long::longValue).sum();
        long oldest = 0;
        long bytes;
        synchronized (reader) {
            try (Statement s = reader.createStatement()) {
                for (Kind k : Kind.values()) {
                    try (ResultSet rs = s.executeQuery("SELECT ts FROM " + k.table() + " ORDER BY seq LIMIT 1")) {
                        if (rs.next() && (oldest == 0 || rs.getLong(1) < oldest)) {
                            oldest = rs.getLong(1);
                        }
                    }
                }
                long pages = queryLong(reader, "PRAGMA page_count") - queryLong(reader, "PRAGMA freelist_count");
                bytes = pages * pageSize;
            } catch (SQLException e) {
                throw new OutboxException("cannot read outbox stats: " + e.getMessage(), e);
            }
        }
        return new Stats(rows, bytes, oldest, byKind, lastSeq, committedRecords.get(), commits.get(), fileBytes(),
                evicted());
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
            } catch (SQLException | java.io.IOException | RuntimeException e) {
                commitFailures.incrementAndGet();
                Logger.error(e, "outbox: commit failed, records not acknowledged: {}", e.getMessage());
                for (Op op : batch) {
                    op.done().completeExceptionally(new OutboxException("commit failed: " + e.getMessage(), e));
                }
                reopenWriter();
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
        int appends = records(batch.get(0));
        boolean urgent = urgent(batch.get(0));
        List<Op> more = new ArrayList<>();
        while (appends < commitRecords) {
            // Take what is already waiting in one go; block only when the queue is empty.
            more.clear();
            queue.drainTo(more, commitRecords - appends);
            if (!more.isEmpty()) {
                for (Op op : more) {
                    batch.add(op);
                    appends += records(op);
                    urgent |= urgent(op);
                }
                continue;
            }
            long left = deadline - System.nanoTime();
            if (urgent || left <= 0) {
                return;
            }
            Op next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            appends += records(next);
            urgent |= urgent(next);
        }
    }

    private static int records(Op op) {
        return switch (op) {
            case Append a -> 1;
            case AppendMany m -> m.entries().size();
            default -> 0;
        };
    }

    /** Results, alarms, flushes and clock corrections do not wait out the window. */
    private static boolean urgent(Op op) {
        return switch (op) {
            case Append a -> a.urgent();
            case AppendMany m -> false;
            case Delete d -> false;
            case Barrier b -> true;
            case Correct c -> true;
        };
    }

    private void commit(List<Op> batch) throws SQLException, java.io.IOException {
        faults.at(Faults.Point.BEGIN, writer);
        long seq = lastSeq;
        long[] assigned = new long[batch.size()];
        boolean added = false;
        long incoming = 0;
        for (Op op : batch) {
            if (op instanceof Append a) {
                incoming += a.body().length() + ROW_OVERHEAD;
            } else if (op instanceof AppendMany m) {
                for (Entry e : m.entries()) {
                    incoming += e.body().length() + ROW_OVERHEAD;
                }
            }
        }
        Map<Kind, Long> evictedNow = incoming > 0 ? makeRoom(incoming) : Map.of();
        Map<Kind, Long> counted = new EnumMap<>(rowCount);
        evictedNow.forEach((kind, n) -> counted.merge(kind, -n, Long::sum));
        for (int i = 0; i < batch.size(); i++) {
            switch (batch.get(i)) {
                case Append a -> {
                    insert(inserts.get(a.kind()), ++seq, a.ts(), a.unsynced(), a.sinceBoot(), a.body());
                    assigned[i] = seq;
                    counted.merge(a.kind(), 1L, Long::sum);
                    added = true;
                }
                case AppendMany m -> {
                    PreparedStatement ps = inserts.get(m.kind());
                    for (Entry e : m.entries()) {
                        insert(ps, ++seq, e.ts(), e.unsynced(), e.sinceBoot(), e.body());
                    }
                    assigned[i] = seq;
                    counted.merge(m.kind(), (long) m.entries().size(), Long::sum);
                    added |= !m.entries().isEmpty();
                }
                case Delete d -> {
                    PreparedStatement ps = deletes.get(d.kind());
                    ps.setLong(1, d.firstSeq());
                    ps.setLong(2, d.lastSeq());
                    counted.merge(d.kind(), (long) -ps.executeUpdate(), Long::sum);
                }
                case Correct c -> {
                    long n = 0;
                    for (Kind k : Kind.values()) {
                        try (PreparedStatement ps = writer.prepareStatement("UPDATE " + k.table()
                                + " SET ts = since_boot + ?, unsynced = 0, since_boot = NULL WHERE unsynced = 1 AND boot = ?")) {
                            ps.setLong(1, c.offset());
                            ps.setLong(2, bootId);
                            n += ps.executeUpdate();
                        }
                    }
                    assigned[i] = n;
                }
                case Barrier b -> { }
            }
        }
        // The reserve beside the file must cover a seq before any row holding it commits.
        reserve.cover(seq);
        for (PreparedStatement ps : inserts.values()) {
            ps.executeBatch();
        }
        if (seq != lastSeq) {
            saveSeq.setLong(1, seq);
            saveSeq.executeUpdate();
        }
        faults.at(Faults.Point.COMMIT, writer);
        writer.commit();
        lastCommitNanos = System.nanoTime();
        commits.incrementAndGet();
        long n = seq - lastSeq;
        committedRecords.addAndGet(n);
        lastSeq = seq;
        rowCount.putAll(counted);
        evictedNow.forEach((kind, count) -> evicted.merge(kind, count, Long::sum));
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(assigned[i]);
        }
        // Committed and acknowledged: nothing below may report these records as failed.
        if (walBytes() > walLimit(maxBytes)) {
            tryCheckpoint("after a commit");
        }
        if (!evictedNow.isEmpty()) {
            Logger.warn("outbox: budget of {} bytes full; evicted the oldest {}", maxBytes, evictedNow);
            for (var l : evictionListeners) {
                l.accept(evictedNow);
            }
        }
        if (added) {
            for (Runnable r : commitListeners) {
                r.run();
            }
        }
    }

    private void insert(PreparedStatement ps, long seq, long ts, boolean unsynced, long sinceBoot, String body)
            throws SQLException {
        ps.setLong(1, seq);
        ps.setLong(2, ts);
        ps.setInt(3, unsynced ? 1 : 0);
        ps.setString(4, body);
        if (unsynced) {
            ps.setLong(5, sinceBoot);
            ps.setLong(6, bootId);
        } else {
            ps.setNull(5, java.sql.Types.INTEGER);
            ps.setNull(6, java.sql.Types.INTEGER);
        }
        ps.addBatch();
    }

    /**
     * Copies the WAL into the database and truncates it; must run outside a transaction. A failed
     * checkpoint loses nothing (the WAL keeps every committed page), so it is reported, counted
     * and retried at the next occasion, never taken for a failed commit.
     */
    private boolean tryCheckpoint(String why) {
        try {
            writer.commit();
            writer.setAutoCommit(true);
            try (Statement s = writer.createStatement()) {
                faults.at(Faults.Point.CHECKPOINT, writer);
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } finally {
                writer.setAutoCommit(false);
            }
            return true;
        } catch (SQLException e) {
            checkpointFailures.incrementAndGet();
            Logger.warn("outbox: WAL checkpoint {} failed (committed records are safe in the WAL): {}", why, e.getMessage());
            return false;
        }
    }

    /** WAL checkpoints that failed since the outbox was opened (health shows it). */
    public long checkpointFailures() {
        return checkpointFailures.get();
    }

    /** Commits that failed since the outbox was opened: their producers were told, nothing was acknowledged. */
    public long commitFailures() {
        return commitFailures.get();
    }

    /** Bytes in use: live database pages plus the WAL. Free pages are reused before the file grows. */
    long usedBytes() throws SQLException {
        long pages = queryLong(writer, "PRAGMA page_count") - queryLong(writer, "PRAGMA freelist_count");
        long wal = 0;
        try {
            wal = Files.size(Path.of(file + "-wal"));
        } catch (java.io.IOException ignored) {
            // no WAL right now
        }
        return pages * pageSize + wal;
    }

    private long walBytes() {
        try {
            return Files.size(Path.of(file + "-wal"));
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /**
     * Makes room for {@code incoming} bytes within {@code maxBytes} (database pages plus WAL), inside
     * the transaction that will hold them: first by checkpointing the WAL, then by deleting the
     * oldest telemetry; events and results go only when nothing else is left. The counts are
     * persisted in meta with the same commit.
     */
    private Map<Kind, Long> makeRoom(long incoming) throws SQLException {
        long high = maxBytes - maxBytes / 20;
        long used = usedBytes();
        if (used + incoming <= high) {
            return Map.of();
        }
        if (walBytes() > 0 && tryCheckpoint("to make room")) {
            used = usedBytes();
            if (used + incoming <= high) {
                return Map.of();
            }
        }
        // Counted on copies: memory follows only once the transaction has committed.
        Map<Kind, Long> rows = new EnumMap<>(rowCount);
        Map<Kind, Long> now = new EnumMap<>(Kind.class);
        long low = maxBytes - maxBytes / 5;
        for (int round = 0; used + incoming > low && round < 20; round++) {
            long total = rows.values().stream().mapToLong(Long::longValue).sum();
            if (total == 0) {
                break;
            }
            long perRow = Math.max(1, used / total);
            long toFree = Math.max(1, (used + incoming - low + perRow - 1) / perRow);
            Kind victim = rows.getOrDefault(Kind.TELEMETRY, 0L) > 0 ? Kind.TELEMETRY
                    : rows.getOrDefault(Kind.EVENT, 0L) > 0 ? Kind.EVENT : Kind.RESULT;
            long n;
            try (PreparedStatement ps = writer.prepareStatement("DELETE FROM " + victim.table()
                    + " WHERE seq IN (SELECT seq FROM " + victim.table() + " ORDER BY seq LIMIT ?)")) {
                ps.setLong(1, Math.min(toFree, rows.get(victim)));
                n = ps.executeUpdate();
            }
            rows.merge(victim, -n, Long::sum);
            now.merge(victim, n, Long::sum);
            try (PreparedStatement ps = writer.prepareStatement("INSERT INTO meta(key, value) VALUES(?, ?) "
                    + "ON CONFLICT(key) DO UPDATE SET value=excluded.value")) {
                ps.setString(1, "evicted_" + victim.table());
                ps.setLong(2, evicted.getOrDefault(victim, 0L) + now.get(victim));
                ps.executeUpdate();
            }
            used = usedBytes();
        }
        return now;
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
