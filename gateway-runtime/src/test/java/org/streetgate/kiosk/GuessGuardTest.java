package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.Message;
import org.streetgate.kioskui.KioskException;

/** The guard over a real kiosk.db: counted, kept across a reopen of the file, events once. */
class GuessGuardTest {
    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(1_764_330_000_000L);
    private final List<String> events = new CopyOnWriteArrayList<>();
    private ParcelStore store;

    private GuessGuard open() {
        if (store != null) {
            store.close();
        }
        store = new ParcelStore(dir.resolve("kiosk.db"));
        return new GuessGuard(GuessGuard.Kind.CODE, AttemptLimiter.Settings.defaults(), GuessBudget.Settings.defaults(),
                now::get, store, (type, severity, data) -> events.add(type + " " + severity + " " + data));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void the_budget_and_the_cool_down_survive_a_reopen_of_kiosk_db() throws Exception {
        GuessGuard g = open();
        for (int i = 0; i < 29; i++) {
            g.wrong();
            now.addAndGet(15_000);
        }
        g = open(); // the process restarts
        assertEquals(29L, g.health().get("wrong_in_window"));
        assertEquals(29L, g.health().get("wrong_total"));
        GuessGuard reopened = g;
        KioskException e = assertThrows(KioskException.class, reopened::wrong);
        assertEquals(KioskException.Reason.LOCKED_OUT, e.reason());
        g = open();
        GuessGuard again = g;
        assertEquals(KioskException.Reason.LOCKED_OUT, assertThrows(KioskException.class, again::check).reason());
        assertEquals(1, events.size(), events.toString());

        // A per-minute cool-down is kept as well.
        GuessGuard pins = new GuessGuard(GuessGuard.Kind.COURIER_PIN, AttemptLimiter.Settings.defaults(),
                GuessBudget.Settings.defaults(), now::get, store, (t, s, d) -> { });
        for (int i = 0; i < 4; i++) {
            pins.wrong();
        }
        assertThrows(KioskException.class, pins::wrong);
        GuessGuard pinsAfter = new GuessGuard(GuessGuard.Kind.COURIER_PIN, AttemptLimiter.Settings.defaults(),
                GuessBudget.Settings.defaults(), now::get, store, (t, s, d) -> { });
        assertEquals(60L, pinsAfter.health().get("cool_down_s"));
    }

    @Test
    void clearing_lifts_the_suspension_and_is_kept_too() throws Exception {
        GuessGuard g = open();
        for (int i = 0; i < 29; i++) {
            g.wrong();
            now.addAndGet(15_000);
        }
        assertThrows(KioskException.class, g::wrong);
        g.clear("cmd-9");
        g.check();
        g = open();
        g.check();
        assertEquals(0L, g.health().get("wrong_in_window"));
        assertEquals(30L, g.health().get("wrong_total"), "the counter is history, not state");
        assertEquals(List.of("kiosk.lockout", "kiosk.lockout-cleared"), events.stream().map(x -> x.split(" ")[0]).toList());
        assertEquals("kiosk.lockout-cleared INFO " + Map.of("what", "code", "was_locked", true, "command", "cmd-9"),
                events.get(1));
    }

    @Test
    void unreadable_saved_state_suspends_rather_than_unlocks() {
        store = new ParcelStore(dir.resolve("kiosk.db"));
        store.saveGuardState("code", "{not json");
        GuessGuard g = new GuessGuard(GuessGuard.Kind.CODE, AttemptLimiter.Settings.defaults(),
                GuessBudget.Settings.defaults(), now::get, store, (t, s, d) -> { });
        assertEquals(KioskException.Reason.LOCKED_OUT, assertThrows(KioskException.class, g::check).reason());
        now.addAndGet(Duration.ofHours(24).toMillis());
        g.check();
    }

    @Test
    void a_right_answer_does_not_give_the_budget_back() throws Exception {
        GuessGuard g = open();
        for (int i = 0; i < 29; i++) {
            g.wrong();
            now.addAndGet(15_000);
        }
        g.right(); // the guesser's own real code
        assertEquals(KioskException.Reason.LOCKED_OUT, assertThrows(KioskException.class, g::wrong).reason());
    }
}
