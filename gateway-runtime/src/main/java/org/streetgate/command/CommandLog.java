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

    /** Forgets ids older than {@code cutoff}, so the log stays small on a years-long deployment. */
    public synchronized int prune(long cutoff) {
        try (PreparedStatement del = db.prepareStatement("DELETE FROM commands WHERE received < ?")) {
            del.setLong(1, cutoff);
            return del.executeUpdate();
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
