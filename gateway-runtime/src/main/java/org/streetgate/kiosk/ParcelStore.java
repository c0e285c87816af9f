package org.streetgate.kiosk;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kiosk's own SQLite file ({@code kiosk.db}): parcels waiting in doors with the salted hash of
 * their pickup code and its expiry, and print jobs with the hash of their QR token. Nothing here is
 * ever a code in clear, so pickup works offline without the file being a list of secrets. Every
 * change is one transaction (WAL, synchronous=FULL): a door that opened is recorded before the
 * kiosk says so.
 */
final class ParcelStore implements AutoCloseable {
    enum State { WAITING, OPENING, PICKED_UP, CANCELLED;
        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    record Parcel(String id, int door, SecretHash code, long expires, String state, String source) {}

    record PrintJob(String id, SecretHash qr, String document, long expires, String state) {}

    private final Connection db;

    ParcelStore(Path file) {
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
                // Deleted rows (a printed certificate, a parcel's code hash) are overwritten with zeros,
                // not left in free space for anyone who copies the file.
                s.execute("PRAGMA secure_delete=ON");
                s.execute("CREATE TABLE IF NOT EXISTS parcels(id TEXT PRIMARY KEY, door INTEGER NOT NULL,"
                        + " code_hash TEXT NOT NULL, expires INTEGER NOT NULL, state TEXT NOT NULL, source TEXT NOT NULL,"
                        + " created INTEGER NOT NULL, changed INTEGER NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS parcels_state ON parcels(state)");
                s.execute("CREATE TABLE IF NOT EXISTS print_jobs(id TEXT PRIMARY KEY, qr_hash TEXT NOT NULL,"
                        + " document TEXT NOT NULL, expires INTEGER NOT NULL, state TEXT NOT NULL,"
                        + " created INTEGER NOT NULL, changed INTEGER NOT NULL)");
                // What the guessing guards know (wrong attempts, lock-outs), so a restart is no fresh start.
                s.execute("CREATE TABLE IF NOT EXISTS guard_state(kind TEXT PRIMARY KEY, state TEXT NOT NULL)");
            }
            // A crash between "opening" and the door's answer: the door may or may not have opened.
            // Keep the parcel usable; the locker's own door.opened event tells the platform what happened.
            try (PreparedStatement p = db.prepareStatement("UPDATE parcels SET state='waiting' WHERE state='opening'")) {
                p.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open kiosk database " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized void addParcel(String id, int door, SecretHash code, long expires, String source, long now) {
        update("INSERT INTO parcels(id, door, code_hash, expires, state, source, created, changed)"
                + " VALUES (?,?,?,?,'waiting',?,?,?)", id, door, code.text(), expires, source, now, now);
    }

    synchronized Optional<Parcel> parcel(String id) {
        List<Parcel> l = parcels("SELECT id, door, code_hash, expires, state, source FROM parcels WHERE id=?", id);
        return l.stream().findFirst();
    }

    /** Parcels whose code may still open a door (waiting, not expired at {@code now}). */
    synchronized List<Parcel> waiting(long now) {
        return parcels("SELECT id, door, code_hash, expires, state, source FROM parcels WHERE state='waiting'"
                + " AND expires > ? ORDER BY door", now);
    }

    /** Doors holding a parcel (expired ones too: the parcel is still behind the door until someone takes it). */
    synchronized List<Integer> occupiedDoors() {
        List<Integer> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement(
                "SELECT door FROM parcels WHERE state IN ('waiting','opening','expired')");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("kiosk database: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Marks waiting parcels whose code ran out by {@code now} as expired and returns them, each once.
     * The parcel is still behind its door, so the door stays taken until the platform cancels it.
     */
    synchronized List<Parcel> expire(long now) {
        List<Parcel> out = parcels("SELECT id, door, code_hash, expires, state, source FROM parcels WHERE state='waiting'"
                + " AND expires <= ?", now);
        for (Parcel p : out) {
            update("UPDATE parcels SET state='expired', changed=? WHERE id=? AND state='waiting'", now, p.id());
        }
        return out;
    }

    /** Moves a parcel from {@code from} to {@code to}; false when it was not in {@code from}. */
    synchronized boolean transition(String id, State from, State to, long now) {
        return update("UPDATE parcels SET state=?, changed=? WHERE id=? AND state=?", to.wire(), now, id, from.wire()) == 1;
    }

    synchronized boolean cancel(String id, long now) {
        return update("UPDATE parcels SET state='cancelled', changed=? WHERE id=? AND state IN ('waiting','opening','expired')",
                now, id) == 1;
    }

    synchronized void addPrintJob(String id, SecretHash qr, String document, long expires, long now) {
        update("INSERT INTO print_jobs(id, qr_hash, document, expires, state, created, changed)"
                + " VALUES (?,?,?,?,'waiting',?,?)", id, qr.text(), document, expires, now, now);
    }

    synchronized List<PrintJob> waitingPrintJobs(long now) {
        List<PrintJob> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement(
                "SELECT id, qr_hash, document, expires, state FROM print_jobs WHERE state='waiting' AND expires > ?")) {
            p.setLong(1, now);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new PrintJob(rs.getString(1), SecretHash.parse(rs.getString(2)), rs.getString(3),
                            rs.getLong(4), rs.getString(5)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("kiosk database: " + e.getMessage(), e);
        }
        return out;
    }

    synchronized boolean printJobDone(String id, String state, long now) {
        return update("UPDATE print_jobs SET state=?, changed=? WHERE id=? AND state='waiting'", state, now, id) == 1;
    }

    /** A guessing guard's saved state (JSON, see GuessGuard), if it has one. */
    synchronized Optional<String> guardState(String kind) {
        try (PreparedStatement p = db.prepareStatement("SELECT state FROM guard_state WHERE kind=?")) {
            p.setString(1, kind);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("kiosk database: " + e.getMessage(), e);
        }
    }

    synchronized void saveGuardState(String kind, String state) {
        update("INSERT INTO guard_state(kind, state) VALUES (?,?) ON CONFLICT(kind) DO UPDATE SET state=excluded.state",
                kind, state);
    }

    /** What {@link #purge} removed. */
    record Purged(int parcels, int printJobs) {}

    /**
     * Deletes picked-up and cancelled parcels last changed at or before {@code cutoff}, and print jobs
     * printed then or expired by then; then checkpoints the WAL, vacuums and truncates the WAL, so the
     * deleted rows are neither in the file's free pages nor in an old WAL frame.
     */
    synchronized Purged purge(long cutoff) {
        int parcels;
        int jobs;
        try {
            db.setAutoCommit(false);
            try {
                parcels = update("DELETE FROM parcels WHERE state IN ('picked-up','cancelled') AND changed <= ?", cutoff);
                jobs = update("DELETE FROM print_jobs WHERE (state <> 'waiting' AND changed <= ?)"
                        + " OR (state = 'waiting' AND expires <= ?)", cutoff, cutoff);
                db.commit();
            } catch (RuntimeException | SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
            if (parcels + jobs > 0) {
                try (Statement s = db.createStatement()) {
                    s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    s.execute("VACUUM");
                    s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("kiosk database: purging: " + e.getMessage(), e);
        }
        return new Purged(parcels, jobs);
    }

    synchronized boolean hasParcel(String id) {
        return parcel(id).isPresent();
    }

    synchronized boolean hasPrintJob(String id) {
        try (PreparedStatement p = db.prepareStatement("SELECT 1 FROM print_jobs WHERE id=?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("kiosk database: " + e.getMessage(), e);
        }
    }

    synchronized int count(String state) {
        try (PreparedStatement p = db.prepareStatement("SELECT count(*) FROM parcels WHERE state=?")) {
            p.setString(1, state);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("kiosk database: " + e.getMessage(), e);
        }
    }

    private List<Parcel> parcels(String sql, Object... args) {
        List<Parcel> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement(sql)) {
            bind(p, args);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new Parcel(rs.getString(1), rs.getInt(2), SecretHash.parse(rs.getString(3)), rs.getLong(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("kiosk database: " + e.getMessage(), e);
        }
        return out;
    }

    private int update(String sql, Object... args) {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            bind(p, args);
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("kiosk database: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement p, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            p.setObject(i + 1, args[i]);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // shutting down
        }
    }
}
