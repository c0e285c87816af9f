package org.streetgate.drivers.locker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.testing.NoisyLine;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;

/** The locker driver against simulated KR-CU16 boards through a real socat pty pair, jSerialComm on both ends. */
class KerongDriverIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private SocatPty pty;
    private PtyDevice device;
    private KerongDriver driver;
    private final CollectingSink sink = new CollectingSink();
    private final Hardware hardware = new Hardware();

    @AfterEach
    void tearDown() throws Exception {
        if (driver != null) {
            driver.stop();
        }
        try {
            if (device != null) {
                device.close();
            }
        } finally {
            hardware.close();
            if (pty != null) {
                pty.close();
            }
        }
    }

    private static KerongConfig config(List<Integer> boards, int doorsPerBoard, Duration leftOpenAfter) {
        // Generous timeouts: a loaded CI machine must not turn a slow reply into a failed test.
        return new KerongConfig(boards, doorsPerBoard, leftOpenAfter, Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofMillis(300), 1, null);
    }

    /** Starts the boards on the device end of a pty and the driver on the other, polling every 50 ms. */
    private KerongSimulator start(KerongConfig cfg) throws Exception {
        return start(cfg, new KerongSimulator(cfg.boards(), cfg.doorsPerBoard()));
    }

    private KerongSimulator start(KerongConfig cfg, KerongSimulator sim) throws Exception {
        pty = SocatPty.start(dir, "locker");
        device = PtyDevice.serve(sim, pty, 19200);
        driver = new KerongDriver(Contexts.serial("locker-1", "locker-board", Duration.ofMillis(50),
                pty.driverEnd().toString(), 19200, false, cfg, sink, hardware));
        driver.start();
        Await.until("all doors read once", () -> driver.doors().stream().allMatch(KerongDriver.DoorState::known));
        return sim;
    }

    private Message.Event nextEvent(String type) throws InterruptedException {
        return sink.event(type, WAIT);
    }

    private static Command cmd(String action, Map<String, Object> args) {
        return new Command("c-" + System.nanoTime(), "locker-1", action, args);
    }

    @Test
    void open_on_the_second_of_two_boards_is_confirmed_by_a_status_query() throws Exception {
        KerongSimulator sim = start(config(List.of(0, 3), 16, Duration.ofMinutes(5)));
        LinkedBlockingQueue<KerongDriver.DoorChange> changes = new LinkedBlockingQueue<>();
        driver.addDoorListener(changes::add);

        Map<String, Object> result = driver.execute(cmd("open", Map.of("door", 17, "reason", "pickup")));

        assertEquals(Map.of("door", 17, "opened", true), result);
        assertEquals(1, sim.unlocks(17), "door 17 is lock 0 of board 3");
        assertEquals(0, sim.unlocks(1), "lock 0 of board 0 was not touched");
        Message.Event opened = nextEvent("door.opened");
        assertEquals(Map.of("door", 17, "commanded", true, "reason", "pickup"), opened.data());
        assertEquals(new KerongDriver.DoorChange(17, true, true), changes.poll(5, TimeUnit.SECONDS));

        sim.closeDoor(17);
        Message.Event closed = nextEvent("door.closed");
        assertEquals(17, closed.data().get("door"));
        assertEquals(new KerongDriver.DoorChange(17, false, false), changes.poll(5, TimeUnit.SECONDS));
        assertEquals(DeviceStatus.State.OK, driver.status().state());
        assertEquals(0, driver.status().counter("forced_openings"));
    }

    @Test
    void status_lists_every_door_across_three_boards() throws Exception {
        KerongSimulator sim = start(config(List.of(0, 1, 2), 8, Duration.ofMinutes(5)));
        sim.forceOpen(9); // board 1, lock 0
        sim.occupy(24, true); // board 2, lock 7
        Await.until("door 9 seen open", () -> driver.doors().get(8).open());

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> doors = (List<Map<String, Object>>) driver.execute(cmd("status", Map.of())).get("doors");

        assertEquals(24, doors.size());
        assertEquals("open", doors.get(8).get("state"));
        assertEquals("closed", doors.get(7).get("state"));
        assertEquals(true, doors.get(23).get("occupied"));
        assertEquals(false, doors.get(22).get("occupied"));
    }

    @Test
    void a_door_opened_without_a_command_raises_a_forced_alarm() throws Exception {
        KerongSimulator sim = start(config(List.of(0), 16, Duration.ofMinutes(5)));

        sim.forceOpen(5);

        Message.Event opened = nextEvent("door.opened");
        assertEquals(Map.of("door", 5, "commanded", false), opened.data());
        Message.Event forced = nextEvent("locker.door-forced");
        assertEquals(Message.Severity.ALARM, forced.severity());
        assertEquals(Map.of("door", 5), forced.data());
        assertEquals(1, driver.status().counter("forced_openings"));
    }

    @Test
    void a_door_left_open_raises_one_alarm_per_opening() throws Exception {
        KerongSimulator sim = start(config(List.of(0), 4, Duration.ofMillis(300)));

        assertTrue(driver.open(2, "drop-off").opened());
        Message.Event alarm = nextEvent("locker.door-left-open");
        assertEquals(Message.Severity.ALARM, alarm.severity());
        assertEquals(2, alarm.data().get("door"));
        // Still open for ten more polls, each one past the threshold: no second alarm for the same opening.
        Await.advance("status queries while door 2 stays open", sim::queries, 10);
        sim.closeDoor(2);
        nextEvent("door.closed");
        assertEquals(1, leftOpenAlarms(2), "alarms so far: " + sink.events("locker.door-left-open"));
        // A new opening gets its own alarm, and again only one.
        assertTrue(driver.open(2, "drop-off").opened());
        Await.until("a second alarm for the second opening", () -> leftOpenAlarms(2) >= 2);
        Await.advance("status queries while door 2 stays open again", sim::queries, 10);
        assertEquals(2, leftOpenAlarms(2), "alarms so far: " + sink.events("locker.door-left-open"));
    }

    /** Every left-open alarm for {@code door} the driver published, none skipped. */
    private long leftOpenAlarms(int door) {
        return sink.events("locker.door-left-open").stream().filter(e -> e.data().get("door").equals(door)).count();
    }

    @Test
    void a_jammed_door_is_reported_not_opened() throws Exception {
        KerongSimulator sim = start(config(List.of(0), 16, Duration.ofMinutes(5)));
        sim.jam(3, true);

        KerongDriver.OpenResult r = driver.open(3, "pickup");

        assertFalse(r.opened());
        assertTrue(r.error().contains("still reads shut"), r.error());
        assertEquals(1, sim.unlocks(3), "the unlock was sent");
        assertEquals(1, driver.status().counter("unlocks_unconfirmed"));
    }

    @Test
    void a_silent_board_degrades_the_locker_and_its_doors_cannot_be_confirmed() throws Exception {
        KerongSimulator sim = start(config(List.of(0, 1), 16, Duration.ofMinutes(5)));
        sim.silence(1, true);

        Await.until("degraded", () -> driver.status().state() == DeviceStatus.State.DEGRADED);
        assertTrue(driver.status().snapshot().lastError().contains("[1]"), driver.status().snapshot().lastError());
        assertTrue(driver.status().counter("timeouts") > 0);

        KerongDriver.OpenResult r = driver.open(20, "pickup");
        assertFalse(r.opened());
        assertTrue(r.error().contains("did not answer"), r.error());
        // Board 0 still works.
        assertTrue(driver.open(4, "pickup").opened());

        sim.silence(1, false);
        Await.until("ok again", () -> driver.status().state() == DeviceStatus.State.OK);
    }

    @Test
    void corrupt_replies_are_counted_and_never_taken_as_door_states() throws Exception {
        KerongSimulator sim = start(config(List.of(0), 16, Duration.ofMinutes(5)));
        sim.corruptChecksums(true);
        sim.forceOpen(1);

        Await.until("bad frames counted", () -> driver.status().counter("bad_frames") >= 3);
        Await.until("offline", () -> driver.status().state() == DeviceStatus.State.OFFLINE);
        assertFalse(driver.doors().get(0).open(), "the open door was never read from a corrupt frame");

        sim.corruptChecksums(false);
        nextEvent("locker.door-forced");
    }

    @Test
    void a_door_that_does_not_exist_is_a_bad_argument() throws Exception {
        start(config(List.of(0), 8, Duration.ofMinutes(5)));
        var e = assertThrows(CommandException.class, () -> driver.execute(cmd("open", Map.of("door", 9))));
        assertEquals(CommandException.Kind.BAD_ARGUMENT, e.kind());
        assertNotNull(e.getMessage());
    }

    @Test
    void a_pulled_cable_takes_the_locker_offline_and_it_recovers_when_replugged() throws Exception {
        KerongSimulator sim = start(config(List.of(0), 16, Duration.ofMinutes(5)));
        device.unplug();
        pty.unplug();
        Await.until("offline", () -> driver.status().state() == DeviceStatus.State.OFFLINE);
        assertFalse(driver.open(1, "pickup").opened());

        pty.replug();
        device = PtyDevice.serve(sim, pty, 19200);
        Await.until("ok again", () -> driver.status().state() == DeviceStatus.State.OK);
        assertTrue(driver.status().counter("reconnects") >= 1);
        assertTrue(driver.open(1, "pickup").opened());
    }

    @Test
    void boards_that_report_open_when_set_work_with_door_sensor_open_when_set() throws Exception {
        var cfg = config(List.of(0), 4, Duration.ofMinutes(5)).withDoorSensor(KerongConfig.DoorSensor.OPEN_WHEN_SET);
        KerongSimulator sim = start(cfg, new KerongSimulator(cfg.boards(), 4).doorSensor(KerongConfig.DoorSensor.OPEN_WHEN_SET));
        assertTrue(driver.doors().stream().noneMatch(KerongDriver.DoorState::open), driver.doors().toString());

        assertTrue(driver.open(3, "pickup").opened());
        assertEquals(Map.of("door", 3, "commanded", true, "reason", "pickup"), nextEvent("door.opened").data());
        sim.closeDoor(3);
        assertEquals(3, nextEvent("door.closed").data().get("door"));
        assertEquals(List.of(), sink.events("locker.door-sensor-suspect"), "shut doors at start-up are no warning");
        assertEquals(0, driver.status().counter("polarity_warnings"));
    }

    @Test
    void every_door_reading_open_at_start_up_warns_that_the_polarity_may_be_wrong() throws Exception {
        // The boards report open-when-set, the profile kept the default: every shut door reads open.
        var cfg = config(List.of(0, 1), 4, Duration.ofMinutes(5));
        KerongSimulator sim = start(cfg,
                new KerongSimulator(cfg.boards(), 4).doorSensor(KerongConfig.DoorSensor.OPEN_WHEN_SET));

        Message.Event warning = nextEvent("locker.door-sensor-suspect");
        assertEquals(Message.Severity.WARNING, warning.severity());
        assertEquals(8, warning.data().get("doors"));
        assertEquals("closed-when-set", warning.data().get("door_sensor"));
        assertTrue(((String) warning.data().get("reason")).endsWith("the boards report open-when-set"),
                warning.data().toString());
        // Once only, however many polls follow.
        Await.advance("status queries after the warning", sim::queries, 10);
        assertEquals(1, sink.events("locker.door-sensor-suspect").size());
        assertEquals(1, driver.status().counter("polarity_warnings"));
    }

    @Test
    void a_door_still_opens_while_noise_floods_the_line() throws Exception {
        var cfg = config(List.of(0), 16, Duration.ofMinutes(5));
        KerongSimulator sim = new KerongSimulator(cfg.boards(), cfg.doorsPerBoard());
        NoisyLine line = new NoisyLine(sim, 11, KerongCodec.STX);
        pty = SocatPty.start(dir, "locker");
        device = PtyDevice.serve(line, pty, 19200);
        driver = new KerongDriver(Contexts.serial("locker-1", "locker-board", Duration.ofMillis(50),
                pty.driverEnd().toString(), 19200, false, cfg, sink, hardware));
        driver.start();
        Await.until("all doors read once", () -> driver.doors().stream().allMatch(KerongDriver.DoorState::known));

        line.flood(true);
        Await.until("noise on the line", () -> line.written() > 2_000 || line.failure() != null);
        assertEquals(null, line.failure());
        // The poll loop drains before each query; a line that never falls silent must not keep the bus.
        KerongDriver.OpenResult r = driver.open(6, "pickup");

        assertTrue(r.opened(), String.valueOf(r.error()));
        assertEquals(1, sim.unlocks(6));
        assertTrue(driver.status().counter("noisy_drains") > 0, driver.status().snapshot().counters().toString());
        assertTrue(driver.status().counter("late_bytes") >= KerongDriver.DRAIN_MAX_BYTES,
                "the discarded noise is counted in bytes: " + driver.status().snapshot().counters());
        line.flood(false);
    }
}
