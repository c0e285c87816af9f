package org.streetgate.command;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.streetgate.outbox.OutboxException;
import org.streetgate.outbox.RecordJson;

/**
 * Remembers every command id with its result, in SQLite, so that a command runs at most once even
 * across restarts: the id is recorded before the device is touched.
 */
public final class CommandLog implements AutoCloseable {
    private final Connection db;

    public CommandLog(Path file) {
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS commands(id TEXT PRIMARY KEY, received INTEGER NOT NULL,"
                        + " status TEXT, result TEXT, error TEXT)");
                s.execute("CREATE INDEX IF NOT EXISTS commands_received ON commands(received)");
            }
        } catch (SQLException e) {
            throw new OutboxException("cannot open command log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records {@code id} as started. Returns the earlier outcome instead when the id was seen before
     * (a re-delivery); the status is then whatever the first run ended with, or {@code running}.
     */
    public synchronized Optional<CommandResult> begin(String id, long now) {
        try (PreparedStatement find = db.prepareStatement("SELECT status, result, error FROM commands WHERE id=?")) {
            find.setString(1, id);
            try (ResultSet rs = find.executeQuery()) {
                if (rs.next()) {
                    String result = rs.getString(2);
                    Map<String, Object> r = result == null ? Map.of()
                            : RecordJson.mapper().readValue(result, new TypeReference<Map<String, Object>>() {});
                    Map<String, Object> withFirst = new java.util.LinkedHashMap<>(r);
                    withFirst.put("first_status", rs.getString(1) == null ? "running" : rs.getString(1));
                    return Optional.of(new CommandResult(id, CommandResult.Status.DUPLICATE, withFirst, rs.getString(3)));
                }
            }
            try (PreparedStatement ins = db.prepareStatement("INSERT INTO commands(id, received) VALUES (?,?)")) {
                ins.setString(1, id);
                ins.setLong(2, now);
                ins.executeUpdate();
            }
            return Optional.empty();
        } catch (SQLException | java.io.IOException e) {
            throw new OutboxException("command log: " + e.getMessage(), e);
        }
    }

    public synchronized void finish(CommandResult result) {
        try (PreparedStatement up = db.prepareStatement("UPDATE commands SET status=?, result=?, error=? WHERE id=?")) {
            up.setString(1, result.status().wire());
            up.setString(2, result.result().isEmpty() ? null : RecordJson.mapper().writeValueAsString(result.result()));
            up.setString(3, result.error());
            up.setString(4, result.id());
            up.executeUpdate();
        } catch (SQLException | java.io.IOException e) {
            throw new OutboxException("command log: " + e.getMessage(), e);
        }
    }

    /**
     * How long an id is remembered. A replay within it is answered {@code duplicate}; a signed
     * command is refused by its own expiry long before (its horizon is at most a day), so only an
     * unsigned command without {@code expires} could run again after this.
     */
    public static final java.time.Duration KEEP = java.time.Duration.ofDays(7);
    /** At most this many ids, whatever their age: the oldest go first. */
    public static final int MAX_ROWS = 100_000;

    /** Forgets ids older than {@link #KEEP} and beyond {@link #MAX_ROWS}; returns how many. */
    public synchronized int prune(long now) {
        try (PreparedStatement old = db.prepareStatement("DELETE FROM commands WHERE received < ?");
             PreparedStatement excess = db.prepareStatement("DELETE FROM commands WHERE id IN"
                     + " (SELECT id FROM commands ORDER BY received DESC LIMIT -1 OFFSET ?)")) {
            old.setLong(1, now - KEEP.toMillis());
            int n = old.executeUpdate();
            excess.setInt(1, MAX_ROWS);
            n += excess.executeUpdate();
            pruned += n;
            return n;
        } catch (SQLException e) {
            throw new OutboxException("command log: " + e.getMessage(), e);
        }
    }

    private long pruned;

    /** Ids forgotten by {@link #prune} since start. */
    public synchronized long pruned() {
        return pruned;
    }

    /** Ids remembered now. */
    public synchronized long rows() {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM commands")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new OutboxException("command log: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing at shutdown; nothing to do
        }
    }
}
