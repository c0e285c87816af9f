package org.streetgate.drivers.dock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.dock.DockInputs.Sensor;
import org.streetgate.drivers.dock.DockScenario.Weather;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.spi.Sink;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/**
 * The dock driver against its simulator through a real socat pty pair, jSerialComm on both ends,
 * Modbus RTU on the wire. Time is scaled down: the cover travels in 300 ms, the weather scripts run
 * 10 to 15 times faster, the PLC is polled every 40 ms.
 */
class DockDriverIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Recorder sink = new Recorder();
    private DockModel model;
    private DockSimulator sim;
    private DockDriver driver;
    private SocatPty pty;

    /** Keeps every message; tests wait for the ones they expect, each occurrence claimed once. */
    private static final class Recorder implements Sink {
        private final List<Message> all = new ArrayList<>();
        private final java.util.Set<Integer> claimed = new java.util.HashSet<>();

        @Override
        public synchronized void accept(Message m) {
            all.add(m);
            notifyAll();
        }

        synchronized Message.Event event(String type) throws InterruptedException {
            return event(type, 0);
        }

        /** How many messages came so far, to wait for events after this point. */
        synchronized int mark() {
            return all.size();
        }

        synchronized Message.Event event(String type, int since) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                for (int i = since; i < all.size(); i++) {
                    if (!claimed.contains(i) && all.get(i) instanceof Message.Event e && e.type().equals(type)) {
                        claimed.add(i);
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + type + " event within " + WAIT + "; got " + types());
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }

        /** The first reading from now on that satisfies {@code p}. */
        synchronized Message.Reading reading(Predicate<Map<String, Double>> p, String what) throws InterruptedException {
            int from = all.size();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                for (int i = from; i < all.size(); i++) {
                    if (all.get(i) instanceof Message.Reading r && p.test(r.metrics())) {
                        return r;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no reading with " + what + " within " + WAIT);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }

        synchronized List<String> types() {
            return all.stream().filter(m -> m instanceof Message.Event).map(m -> ((Message.Event) m).type()).toList();
        }

        synchronized long count(String type) {
            return types().stream().filter(type::equals).count();
        }
    }

    private DockConfig config(String scenario, double timeScale, Duration motionTimeout) {
        return DockConfig.defaults(DockRegisterMap.v1(1))
                .withMotionTimeout(motionTimeout)
                .withTelemetryEvery(Duration.ofMillis(40))
                .withResponseTimeout(Duration.ofMillis(120), 1)
                .withLaunchPermitValid(Duration.ofSeconds(30))
                .withSimulation(new DockConfig.Simulation(scenario, Duration.ofMillis(300), timeScale));
    }

    private void start(String scenario, double timeScale, Duration motionTimeout) throws Exception {
        start(scenario, timeScale, motionTimeout, c -> c);
    }

    /** Starts the dock; the driver's config may differ from the simulated PLC's (a wrong map). */
    private void start(String scenario, double timeScale, Duration motionTimeout,
                       java.util.function.UnaryOperator<DockConfig> driverConfig) throws Exception {
        DockConfig config = config(scenario, timeScale, motionTimeout);
        pty = SocatPty.start(dir, "dock");
        cleanup.add(pty);
        model = new DockModel(DockScenario.named(scenario), config.simulation().coverTravel(), timeScale, System::nanoTime);
        sim = new DockSimulator(config.map(), model);
        cleanup.add(0, PtyDevice.serve(sim, pty.deviceEnd(), 19200));
        var spec = new DeviceSpec("dock-1", "drone-dock", Duration.ofMillis(40),
                Optional.of(SerialSettings.of(pty.driverEnd().toString(), 19200)), false, new Position("test", 1));
        Hardware hw = new Hardware();
        cleanup.add(0, hw);
        driver = new DockDriver(new DeviceContext<>(spec, driverConfig.apply(config), sink, new DeviceStatus(), hw));
        driver.start();
        cleanup.add(0, driver::stop);
        sink.event("cover.closed");
    }

    private void start() throws Exception {
        start("calm", 1, Duration.ofSeconds(2));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
    }

    private Map<String, Object> cmd(String action) throws InterruptedException {
        return driver.execute(new Command("c-" + action + "-" + System.nanoTime(), "dock-1", action, Map.of()));
    }

    private String refused(String action) {
        CommandException e = assertThrows(CommandException.class, () -> cmd(action));
        assertEquals(CommandException.Kind.REFUSED, e.kind(), e.getMessage());
        return e.getMessage();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(WAIT, condition, () -> what);
    }

    /**
     * Asks for the cover to open until the weather allows it (a loaded machine may start the driver
     * late into a scenario's script); returns without waiting for the motion.
     */
    private void startOpening() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                cmd("cover-open");
                return;
            } catch (CommandException e) {
                if (e.kind() != CommandException.Kind.REFUSED || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    /** Opens the cover and waits until it is fully open. */
    private void open() throws Exception {
        int mark = sink.mark();
        cmd("cover-open");
        sink.event("cover.open", mark);
    }

    @Test
    void the_cover_opens_and_closes_with_events_and_dji_style_telemetry() throws Exception {
        start();
        Map<String, Object> r = cmd("cover-open");
        assertEquals(true, r.get("changed"));
        assertEquals(2, r.get("cover_state"), "half-open while it moves");
        assertEquals("cover-open command", sink.event("cover.opening").data().get("reason"));
        assertEquals("cover fully open", sink.event("cover.open").data().get("reason"));
        Message.Reading open = sink.reading(m -> m.get("cover_state") == 1.0, "cover_state 1");
        assertEquals(100.0, open.metrics().get("cover_position_pct"));
        assertEquals(3.0, open.metrics().get("wind_speed_m_s"));
        assertEquals(0.0, open.metrics().get("rainfall_level"));
        assertEquals(18.0, open.metrics().get("environment_temperature_c"));
        assertEquals(false, cmd("cover-open").get("changed"), "already open: nothing moves");
        assertEquals(1, model.motions());
        cmd("cover-close");
        sink.event("cover.closed");
        assertEquals(0.0, model.coverPosition());
        assertEquals(DeviceStatus.State.OK, driver.status().state());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "wind         | 15.0 | 0 | 18.0  | ''   | wind 15.0 m/s over the limit of 12.0 m/s",
        "rain         | 3.0  | 2 | 18.0  | ''   | rainfall level 2 over the limit of 0",
        "frost        | 3.0  | 0 | -25.0 | ''   | temperature -25.0 °C below the minimum of -20.0 °C",
        "heat         | 3.0  | 0 | 47.5  | ''   | temperature 47.5 °C above the maximum of 45.0 °C",
        "failed-rain  | 3.0  | 0 | 18.0  | RAIN | rain sensor failed",
    })
    void the_cover_does_not_open_outside_the_weather_limits(String name, double wind, int rain, double temp,
                                                             String failed, String reason) throws Exception {
        start();
        Weather w = new Weather(wind, rain, temp, failed.isEmpty() ? java.util.Set.of() : java.util.Set.of(Sensor.valueOf(failed)));
        model.weather(w);
        if (failed.isEmpty()) {
            // Wait for a reading of the new weather itself: calm readings have the same temperature and rain.
            sink.reading(m -> m.get("environment_temperature_c") == temp && m.get("rainfall_level") == rain
                    && m.get("wind_speed_m_s") == wind, name);
        } else {
            sink.event("weather.sensor_failed");
        }
        assertEquals("cannot open the cover: " + reason, refused("cover-open"));
        assertEquals(0, model.motions(), "nothing moved");
        model.weather(Weather.fair());
        sink.reading(m -> m.get("environment_temperature_c") == 18.0 && m.containsKey("rainfall_level")
                && m.get("rainfall_level") == 0.0 && m.get("wind_speed_m_s") == 3.0, "fair weather");
        open();
    }

    @Test
    void the_e_stop_blocks_the_cover_and_resets_only_once_released() throws Exception {
        start();
        model.pressEStop();
        assertEquals(Message.Severity.ALARM, sink.event("estop.pressed").severity());
        assertTrue(refused("cover-open").endsWith("the emergency stop is pressed"));
        assertTrue(refused("emergency-stop-reset").endsWith("the emergency stop button is still pressed"));
        model.releaseEStop();
        sink.event("estop.released");
        assertTrue(refused("cover-close").endsWith("the emergency stop is latched: reset it first"));
        assertEquals(true, cmd("emergency-stop-reset").get("changed"));
        sink.event("estop.reset");
        open();
    }

    @Test
    void launch_is_permitted_only_open_with_a_charged_drone_and_ends_when_it_leaves() throws Exception {
        start();
        model.droneReturns(30);
        sink.reading(m -> m.get("drone_battery_pct") == 30.0, "battery 30");
        assertEquals("launch not permitted: the cover is not fully open (closed); drone battery 30 % below the 50 % needed",
                refused("launch-permit"));
        model.droneReturns(90);
        open();
        Map<String, Object> granted = cmd("launch-permit");
        assertEquals(true, granted.get("granted"));
        assertTrue(model.launchPermitCoil(), "the PLC holds the permit coil");
        assertTrue(refused("cover-close").contains("a launch permit is in force"));
        model.droneLeaves();
        assertEquals("the drone left the dock", sink.event("launch.permit_used").data().get("reason"));
        await(() -> !model.launchPermitCoil(), "permit coil off");
        while (!sink.event("dock.mode").data().get("mode").equals("drone-out")) {
            // earlier mode changes: idle, launch-ready
        }
        assertEquals("cannot switch the charger on: no drone in the dock", refused("charge-on"));
    }

    @Test
    void the_charger_is_off_while_the_cover_moves_and_resumes_after() throws Exception {
        start("calm", 1, Duration.ofSeconds(2));
        model.droneReturns(60);
        cmd("charge-on");
        assertTrue(model.chargerCoil());
        sink.reading(m -> m.get("charger_state") == 1.0, "charging");
        cmd("cover-open");
        assertFalse(model.chargerCoil(), "switched off before the motor started");
        assertTrue(refused("charge-on").endsWith("the charger stays off while the cover moves"));
        sink.event("cover.open");
        await(model::chargerCoil, "charger back on after the motion");
        cmd("charge-off");
        assertFalse(model.chargerCoil());
    }

    @Test
    void gusts_close_the_open_cover_on_their_own() throws Exception {
        start("gusts", 10, Duration.ofSeconds(2)); // a 15 m/s gust from 2.0 s to 2.8 s, every 6 s
        startOpening();
        Message.Event auto = sink.event("cover.auto_close");
        assertEquals("wind 15.0 m/s over the limit of 12.0 m/s", auto.data().get("reason"));
        assertTrue(sink.event("cover.closing").data().get("reason").toString().startsWith("closing on its own"));
        sink.event("cover.closed");
        assertEquals(0.0, model.coverPosition());
    }

    @Test
    void a_rain_shower_closes_the_cover_and_keeps_it_shut_until_it_stops() throws Exception {
        start("rain-shower", 15, Duration.ofSeconds(2)); // rain from 2.0 s to 5.3 s of every 8 s
        startOpening();
        assertEquals("rain started (level 1)", sink.event("cover.auto_close").data().get("reason"));
        sink.event("cover.closed");
        sink.reading(m -> m.get("rainfall_level") >= 1.0, "rain");
        assertTrue(refused("cover-open").contains("over the limit of 0"));
        sink.reading(m -> m.get("rainfall_level") == 0.0, "dry again");
        open();
    }

    @Test
    void rain_does_not_shut_out_a_drone_that_is_flying() throws Exception {
        start();
        open();
        model.droneLeaves();
        sink.event("drone.out_of_dock");
        model.weather(Weather.fair().withRain(2));
        sink.reading(m -> m.get("rainfall_level") == 2.0, "rain");
        sink.reading(m -> m.get("rainfall_level") == 2.0, "rain, a poll later");
        assertEquals(0, sink.count("cover.auto_close"));
        assertEquals(100.0, model.coverPosition());
        model.droneReturns(40);
        assertEquals("rain started (level 2)", sink.event("cover.auto_close").data().get("reason"));
        sink.event("cover.closed");
    }

    @Test
    void a_failed_anemometer_closes_the_cover_and_forbids_opening_until_it_recovers() throws Exception {
        start("sensor-failure", 15, Duration.ofSeconds(2)); // the wind sensor fails from 2.0 s to 6.0 s of every 8 s
        startOpening();
        assertEquals("wind", sink.event("weather.sensor_failed").data().get("sensor"));
        assertEquals("wind sensor failed", sink.event("cover.auto_close").data().get("reason"));
        sink.event("cover.closed");
        assertTrue(refused("cover-open").endsWith("wind sensor failed"));
        Message.Reading r = sink.reading(m -> !m.containsKey("wind_speed_m_s"), "no wind value");
        assertTrue(r.metrics().containsKey("rainfall_level"), "the other sensors still report");
        sink.event("weather.sensor_restored");
        open();
    }

    @Test
    void a_stalled_motor_is_stopped_and_reported_abnormal() throws Exception {
        start("motor-stall", 1, Duration.ofMillis(700));
        cmd("cover-open");
        Message.Event alarm = sink.event("cover.abnormal");
        assertEquals(Message.Severity.ALARM, alarm.severity());
        assertEquals("cover did not open within 700 ms (still half-open)", alarm.data().get("reason"));
        await(() -> !model.motorRunning(), "motor stopped by the gateway");
        assertEquals(40.0, model.coverPosition(), 0.5);
        assertEquals(DeviceStatus.State.DEGRADED, driver.status().state());
        assertTrue(driver.status().snapshot().lastError().startsWith("cover abnormal: cover did not open"));
        sink.reading(m -> m.get("cover_state") == 3.0, "cover_state 3 abnormal");
        cmd("cover-close");
        sink.event("cover.closed");
        await(() -> driver.status().state() == DeviceStatus.State.OK, "ok after the cover got home");
    }

    @Test
    void a_silent_plc_degrades_the_device_refuses_commands_and_recovers() throws Exception {
        start();
        sim.silent(true);
        Message.Event lost = sink.event("plc.lost");
        assertEquals(Message.Severity.ALARM, lost.severity());
        assertTrue(lost.data().get("error").toString().contains("did not answer"), lost.data().toString());
        assertEquals(DeviceStatus.State.DEGRADED, driver.status().state());
        assertTrue(driver.status().counter("timeouts") >= 2, "each try timed out");
        assertEquals("cannot open the cover: no contact with the dock PLC", refused("cover-open"));
        refused("launch-permit");
        assertEquals(1, sink.count("plc.lost"), "reported once");
        sim.silent(false);
        sink.event("plc.restored");
        await(() -> driver.status().state() == DeviceStatus.State.OK, "ok again");
        open();
    }

    @Test
    void a_plc_that_refuses_a_coil_write_fails_the_command_but_keeps_contact() throws Exception {
        var c = DockRegisterMap.v1(1).coils();
        start("calm", 1, Duration.ofSeconds(2), cfg -> cfg.withMap(new DockRegisterMap(DockRegisterMap.V1, 1,
                new DockRegisterMap.Coils(c.coverOpen(), c.coverClose(), c.coverStop(), 40, c.launchPermit(),
                        c.estopReset()), cfg.map().inputs())));
        CommandException e = assertThrows(CommandException.class, () -> cmd("charge-on"));
        assertEquals(CommandException.Kind.FAILED, e.kind());
        assertEquals("charge-on failed: dock PLC unit 1 on " + pty.driverEnd()
                + " refused write coil charger (0x0028) on: exception 02 illegal data address", e.getMessage());
        assertEquals(0, sink.count("plc.lost"), "the PLC answered: contact is not lost");
        assertEquals(1, driver.status().counter("exceptions"));
        open();
    }

    @Test
    void an_unconfirmed_coil_write_fails_the_command_and_fails_safe() throws Exception {
        start();
        sim.ignoreCoilWrites(true);
        CommandException e = assertThrows(CommandException.class, () -> cmd("cover-open"));
        assertEquals(CommandException.Kind.FAILED, e.kind());
        assertTrue(e.getMessage().contains("did not confirm write coil cover-open (0x0000) on (2 tries"), e.getMessage());
        sink.event("plc.lost");
        assertEquals(0, model.motions());
        sim.ignoreCoilWrites(false);
        sink.event("plc.restored");
        open();
    }

    @Test
    void a_corrupt_echo_is_retried_and_the_command_succeeds() throws Exception {
        start();
        sim.corruptNextCoilEchoes(1);
        open();
        assertTrue(driver.status().counter("crc_errors") >= 1, driver.status().snapshot().counters().toString());
        assertTrue(driver.status().counter("retries") >= 1);
        assertEquals(0, sink.count("plc.lost"), "one bad answer is noise, not a lost PLC");
    }

    @Test
    void a_pulled_cable_shows_offline_and_the_driver_resumes_when_it_is_back() throws Exception {
        start();
        pty.unplug();
        sink.event("plc.lost");
        await(() -> driver.status().state() == DeviceStatus.State.OFFLINE, "offline");
        assertTrue(refused("cover-close").contains("no contact with the dock PLC"));
        pty.replug();
        cleanup.add(0, PtyDevice.serve(sim, pty.deviceEnd(), 19200));
        sink.event("plc.restored");
        open();
    }
}
