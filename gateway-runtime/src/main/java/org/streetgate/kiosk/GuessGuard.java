package org.streetgate.kiosk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.streetgate.drivers.spi.Message;
import org.streetgate.kioskui.KioskException;
import org.tinylog.Logger;

/**
 * Everything that stands between a guesser at the screen and one kind of secret (pickup codes and
 * QRs, courier PINs, the technician PIN): the per-minute {@link AttemptLimiter}, the 24-hour
 * {@link GuessBudget}, the counters for health, and the events. Its state is written to
 * {@code kiosk.db} at every change, so pulling the plug does not give a guesser a fresh start.
 */
final class GuessGuard {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The secrets guarded, by their wire name (events, health, {@code clear-lockout}). */
    enum Kind {
        CODE("code"), COURIER_PIN("courier-pin"), TECHNICIAN_PIN("technician-pin");

        final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        static Kind ofWire(String wire) {
            for (Kind k : values()) {
                if (k.wire.equals(wire)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** Where events go: the kiosk's outbox. */
    @FunctionalInterface
    interface Events {
        void emit(String type, Message.Severity severity, Map<String, Object> data) throws InterruptedException;
    }

    private final Kind kind;
    private final GuessBudget.Settings budgetSettings;
    private final ParcelStore store;
    private final Events events;
    private final AttemptLimiter limiter;
    private final GuessBudget budget;
    private long wrongTotal;
    private long lockoutsTotal;

    GuessGuard(Kind kind, AttemptLimiter.Settings limits, GuessBudget.Settings budgetSettings, LongSupplier millis,
               ParcelStore store, Events events) {
        this.kind = kind;
        this.budgetSettings = budgetSettings;
        this.store = store;
        this.events = events;
        AttemptLimiter.State limiterState = AttemptLimiter.State.EMPTY;
        List<Long> budgetFailures = List.of();
        String saved = store.guardState(kind.wire).orElse(null);
        if (saved != null) {
            try {
                JsonNode n = JSON.readTree(saved);
                limiterState = new AttemptLimiter.State(longs(n.path("recent")), n.path("locked_until").asLong(),
                        n.path("lockouts_in_row").asInt());
                budgetFailures = longs(n.path("budget"));
                wrongTotal = n.path("wrong_total").asLong();
                lockoutsTotal = n.path("lockouts_total").asLong();
            } catch (java.io.IOException | IllegalArgumentException e) {
                // Unreadable state must not unlock anything: start with the budget used up and say so.
                Logger.warn("kiosk: saved {} guard state unreadable ({}); suspending until the platform clears it",
                        kind.wire, e.getClass().getSimpleName());
                long now = millis.getAsLong();
                budgetFailures = java.util.Collections.nCopies(budgetSettings.max(), now);
            }
        }
        this.limiter = new AttemptLimiter(limits, millis, limiterState);
        this.budget = new GuessBudget(budgetSettings, millis, budgetFailures);
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asLong()));
        return out;
    }

    /** Throws {@link KioskException#lockedOut} when nothing may be checked now. */
    synchronized void check() {
        long s = Math.max(budget.suspendedForSeconds(), limiter.lockedForSeconds());
        if (s > 0) {
            throw KioskException.lockedOut(s);
        }
    }

    /**
     * A wrong attempt: counted, kept, and when it starts a lock-out, an event and a
     * {@link KioskException#lockedOut} thrown; otherwise returns and the caller says "wrong".
     */
    void wrong() throws InterruptedException {
        long coolDown;
        boolean exhausted;
        long suspended;
        synchronized (this) {
            wrongTotal++;
            coolDown = limiter.failure();
            exhausted = budget.failure();
            suspended = budget.suspendedForSeconds();
            if (coolDown > 0 || exhausted) {
                lockoutsTotal++;
            }
            save();
        }
        if (exhausted) {
            Logger.warn("kiosk: {} wrong {} attempts within {}: {} entry suspended for {} s or until the platform clears it",
                    budgetSettings.max(), kind.wire, budgetSettings.window(), kind.wire, suspended);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("what", kind.wire);
            data.put("scope", "budget");
            data.put("wrong_attempts", budgetSettings.max());
            data.put("window_s", budgetSettings.window().toSeconds());
            data.put("suspended_s", suspended);
            events.emit("kiosk.lockout", Message.Severity.ALARM, data);
            throw KioskException.lockedOut(Math.max(suspended, coolDown));
        }
        if (coolDown > 0) {
            Logger.warn("kiosk: too many wrong {} attempts, locked for {} s", kind.wire, coolDown);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("what", kind.wire);
            data.put("scope", "cool-down");
            data.put("cool_down_s", coolDown);
            events.emit("kiosk.lockout", Message.Severity.WARNING, data);
            throw KioskException.lockedOut(coolDown);
        }
    }

    /** A right answer: the per-minute history goes; the day's budget does not come back. */
    synchronized void right() {
        limiter.success();
        save();
    }

    /** The platform's {@code clear-lockout}: both bounds start afresh (the counters stay). */
    void clear(String commandId) throws InterruptedException {
        boolean was;
        synchronized (this) {
            was = budget.suspendedForSeconds() > 0 || limiter.lockedForSeconds() > 0;
            limiter.clear();
            budget.clear();
            save();
        }
        Logger.info("kiosk: {} lock-out cleared by the platform (command {})", kind.wire, commandId);
        events.emit("kiosk.lockout-cleared", Message.Severity.INFO,
                Map.of("what", kind.wire, "was_locked", was, "command", commandId));
    }

    /** For health and the {@code status} command: counters since the kiosk was installed, and the state now. */
    synchronized Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("wrong_total", wrongTotal);
        m.put("lockouts_total", lockoutsTotal);
        m.put("wrong_in_window", (long) budget.used());
        m.put("budget", budgetSettings.max());
        m.put("cool_down_s", limiter.lockedForSeconds());
        m.put("suspended_s", budget.suspendedForSeconds());
        return m;
    }

    synchronized long wrongTotal() {
        return wrongTotal;
    }

    private void save() {
        AttemptLimiter.State l = limiter.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recent", l.failures());
        m.put("locked_until", l.lockedUntil());
        m.put("lockouts_in_row", l.lockouts());
        m.put("budget", budget.failures());
        m.put("wrong_total", wrongTotal);
        m.put("lockouts_total", lockoutsTotal);
        try {
            store.saveGuardState(kind.wire, JSON.writeValueAsString(m));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
