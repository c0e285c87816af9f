package org.streetgate.drivers.dock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.dock.DockInputs.ChargerState;
import org.streetgate.drivers.dock.DockInputs.CoverReport;
import org.streetgate.drivers.dock.DockInputs.EStop;
import org.streetgate.drivers.dock.DockInputs.Sensor;
import org.streetgate.drivers.dock.DockStateMachine.CoverState;
import org.streetgate.drivers.dock.DockSupervisor.CoilWrite;
import org.streetgate.drivers.dock.DockSupervisor.Outcome;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.Message;

/** The dock's safety brain without I/O: what it writes and reports for each reading and command. */
class DockSupervisorTest {
    private static final long S = 1_000_000_000L;
    private static final DockConfig CONFIG = DockConfig.defaults(DockRegisterMap.v1(1))
            .withMotionTimeout(Duration.ofSeconds(30)).withLaunchPermitValid(Duration.ofSeconds(60));
    private static final DockRegisterMap.Coils COILS = CONFIG.map().coils();

    private final DockSupervisor sup = new DockSupervisor("dock-1", CONFIG);

    private static Command cmd(String action) {
        return new Command("c-" + action, "dock-1", action, Map.of());
    }

    private static List<String> types(Outcome o) {
        return o.events().stream().map(Message.Event::type).toList();
    }

    private static Message.Event event(Outcome o, String type) {
        return o.events().stream().filter(e -> e.type().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " in " + types(o)));
    }

    /** Runs a command as the driver does: plan, (writes succeed), applied. */
    private Outcome run(String action, long now) {
        DockSupervisor.Plan p = sup.plan(cmd(action));
        Outcome o = sup.applied(p, now);
        return new Outcome(p.writes(), o.events(), o.result());
    }

    private CommandException refused(String action) {
        CommandException e = assertThrows(CommandException.class, () -> sup.plan(cmd(action)));
        assertEquals(CommandException.Kind.REFUSED, e.kind(), e.getMessage());
        return e;
    }

    private void openDock(DockInputs in) {
        sup.observe(in, 0);
        run("cover-open", 0);
        sup.observe(in.withCover(CoverReport.OPEN, 100), 10 * S);
        assertEquals(CoverState.OPEN, sup.coverState().orElseThrow());
    }

    @Test
    void first_reading_reports_drone_cover_and_mode_and_publishes_dji_style_metrics() {
        Outcome o = sup.observe(DockInputs.calm().withDrone(true, 87, ChargerState.CHARGING), 0);
        assertEquals(List.of("drone.in_dock", "cover.closed", "dock.mode"), types(o));
        assertEquals(Map.of("drone_in_dock", true), event(o, "drone.in_dock").data());
        assertEquals("idle", event(o, "dock.mode").data().get("mode"));
        assertEquals(Map.of("cover_state", 0.0, "cover_position_pct", 0.0, "wind_speed_m_s", 2.0,
                "rainfall_level", 0.0, "environment_temperature_c", 18.0, "drone_battery_pct", 87.0,
                "charger_state", 1.0), sup.metrics());
    }

    @Test
    void the_first_reading_withdraws_any_launch_permit_left_from_before_a_restart() {
        assertEquals(List.of(new CoilWrite("launch-permit", COILS.launchPermit(), false)),
                sup.observe(DockInputs.calm(), 0).writes());
        assertEquals(List.of(), sup.observe(DockInputs.calm(), S).writes());
    }

    @Test
    void commands_before_the_first_reading_are_refused() {
        assertEquals("cannot open the cover: the dock PLC has not been read yet", refused("cover-open").getMessage());
    }

    @Test
    void cover_open_pauses_the_charger_and_resumes_it_when_the_cover_is_open() {
        sup.observe(DockInputs.calm().withDrone(true, 60, ChargerState.CHARGING), 0);
        Outcome o = run("cover-open", S);
        assertEquals(List.of(new CoilWrite("charger", COILS.charger(), false),
                new CoilWrite("cover-open", COILS.coverOpen(), true)), o.writes());
        assertEquals(List.of("cover.opening"), types(o));
        assertEquals(Map.of("changed", true, "cover", "opening", "cover_state", 2), o.result());
        Outcome moving = sup.observe(DockInputs.calm().withCover(CoverReport.HALF_OPEN, 40), 3 * S);
        assertEquals(List.of(), moving.writes(), "the charger is already off");
        assertTrue(refused("charge-on").getMessage().contains("the charger stays off while the cover moves"));
        Outcome done = sup.observe(DockInputs.calm().withCover(CoverReport.OPEN, 100), 6 * S);
        assertEquals(List.of("cover.open"), types(done));
        assertEquals(List.of(new CoilWrite("charger", COILS.charger(), true)), done.writes(), "charging resumes");
    }

    @Test
    void a_command_toward_where_the_cover_already_is_writes_nothing() {
        sup.observe(DockInputs.calm(), 0);
        Outcome o = run("cover-close", S);
        assertEquals(List.of(), o.writes());
        assertEquals(false, o.result().get("changed"));
    }

    @Test
    void the_charger_goes_off_if_the_plc_reports_charging_while_the_cover_moves() {
        sup.observe(DockInputs.calm().withDrone(true, 60, ChargerState.OFF), 0);
        run("cover-open", S);
        Outcome o = sup.observe(DockInputs.calm().withCover(CoverReport.HALF_OPEN, 20)
                .withDrone(true, 60, ChargerState.CHARGING), 2 * S);
        assertEquals(List.of(new CoilWrite("charger", COILS.charger(), false)), o.writes());
    }

    @Test
    void rain_closes_the_open_cover_on_its_own_once() {
        openDock(DockInputs.calm());
        DockInputs rain = DockInputs.calm().withCover(CoverReport.OPEN, 100).withWeather(4, 1, 15);
        Outcome o = sup.observe(rain, 20 * S);
        assertEquals(List.of(new CoilWrite("cover-close", COILS.coverClose(), true)), o.writes());
        assertEquals("rain started (level 1)", event(o, "cover.auto_close").data().get("reason"));
        assertEquals(Message.Severity.WARNING, event(o, "cover.auto_close").severity());
        assertEquals(CoverState.CLOSING, sup.coverState().orElseThrow());
        assertEquals(List.of(), sup.observe(rain.withCover(CoverReport.HALF_OPEN, 60), 21 * S).writes(),
                "no second close while closing");
        assertEquals(List.of("cover.closed"), types(sup.observe(rain.withCover(CoverReport.CLOSED, 0), 25 * S)));
        assertTrue(refused("cover-open").getMessage().endsWith("rainfall level 1 over the limit of 0"));
    }

    @Test
    void a_gust_over_the_limit_closes_the_cover_but_not_with_the_drone_out() {
        openDock(DockInputs.calm().withDrone(false, 0, ChargerState.OFF));
        Outcome o = sup.observe(DockInputs.calm().withCover(CoverReport.OPEN, 100).withWeather(16, 0, 18)
                .withDrone(false, 0, ChargerState.OFF), 20 * S);
        assertEquals(List.of(), o.writes(), "the drone must be able to come home");
        Outcome back = sup.observe(DockInputs.calm().withCover(CoverReport.OPEN, 100).withWeather(16, 0, 18), 30 * S);
        assertTrue(types(back).containsAll(List.of("drone.in_dock", "cover.auto_close", "cover.closing")), types(back).toString());
    }

    @Test
    void auto_close_can_be_switched_off() {
        DockSupervisor manual = new DockSupervisor("dock-1", CONFIG.withAutoClose(new DockConfig.AutoClose(false, false, false)));
        manual.observe(DockInputs.calm().withCover(CoverReport.OPEN, 100), 0);
        Outcome o = manual.observe(DockInputs.calm().withCover(CoverReport.OPEN, 100).withWeather(20, 3, 18), S);
        assertEquals(List.of(), o.writes());
        assertEquals(CoverState.OPEN, manual.coverState().orElseThrow());
    }

    @Test
    void a_failed_sensor_is_reported_left_out_of_the_metrics_and_closes_the_cover() {
        openDock(DockInputs.calm());
        Outcome o = sup.observe(DockInputs.calm().withCover(CoverReport.OPEN, 100).withFailed(Set.of(Sensor.WIND)), 20 * S);
        assertEquals(Map.of("sensor", "wind"), event(o, "weather.sensor_failed").data());
        assertEquals("wind sensor failed", event(o, "cover.auto_close").data().get("reason"));
        assertFalse(sup.metrics().containsKey("wind_speed_m_s"));
        Outcome back = sup.observe(DockInputs.calm().withCover(CoverReport.CLOSED, 0), 25 * S);
        assertTrue(types(back).contains("weather.sensor_restored"));
    }

    @Test
    void a_stalled_motor_times_out_into_abnormal_with_an_alarm_and_a_stop() {
        sup.observe(DockInputs.calm(), 0);
        run("cover-open", S);
        DockInputs stuck = DockInputs.calm().withCover(CoverReport.HALF_OPEN, 40);
        assertEquals(List.of(), sup.observe(stuck, 30 * S).writes());
        Outcome o = sup.observe(stuck, 32 * S);
        assertEquals(List.of(new CoilWrite("cover-stop", COILS.coverStop(), true)), o.writes());
        Message.Event alarm = event(o, "cover.abnormal");
        assertEquals(Message.Severity.ALARM, alarm.severity());
        assertEquals("cover did not open within 30 s (still half-open)", alarm.data().get("reason"));
        assertEquals("fault", event(o, "dock.mode").data().get("mode"));
        assertEquals("cover did not open within 30 s (still half-open)", sup.problem());
        assertEquals(3.0, sup.metrics().get("cover_state"));
        // The operator may retry closing; when the cover gets home, abnormal clears.
        assertEquals(List.of("cover.closing", "dock.mode"), types(run("cover-close", 40 * S)));
        assertEquals("idle", sup.mode());
        assertEquals(List.of("cover.closed"), types(sup.observe(DockInputs.calm(), 45 * S)));
        assertEquals(null, sup.problem());
    }

    @Test
    void lost_plc_contact_refuses_every_command_and_is_reported_once() {
        sup.observe(DockInputs.calm(), 0);
        Outcome lost = sup.contactLost("modbus unit 1 did not answer", S);
        assertEquals(List.of("plc.lost", "dock.mode"), types(lost));
        assertEquals(Message.Severity.ALARM, lost.events().get(0).severity());
        assertEquals(List.of(), sup.contactLost("again", 2 * S).events());
        for (String action : DockSupervisor.ACTIONS) {
            assertTrue(refused(action).getMessage().contains("no contact with the dock PLC"), action);
        }
        assertEquals(Map.of(), sup.metrics(), "a stale picture is not published");
        Outcome back = sup.observe(DockInputs.calm(), 3 * S);
        assertEquals(List.of("plc.restored", "dock.mode"), types(back));
        sup.plan(cmd("cover-open"));
    }

    @Test
    void launch_permit_is_granted_written_and_used_when_the_drone_leaves() {
        openDock(DockInputs.calm().withDrone(true, 90, ChargerState.FULL));
        Outcome o = run("launch-permit", 20 * S);
        assertEquals(List.of(new CoilWrite("launch-permit", COILS.launchPermit(), true)), o.writes());
        assertEquals(true, o.result().get("granted"));
        assertEquals(60_000L, o.result().get("valid_ms"));
        assertEquals("launch-ready", sup.mode());
        assertTrue(refused("cover-close").getMessage().contains("launch permit is in force"));
        Outcome gone = sup.observe(DockInputs.calm().withCover(CoverReport.OPEN, 100).withDrone(false, 0, ChargerState.OFF), 25 * S);
        assertEquals(List.of(new CoilWrite("launch-permit", COILS.launchPermit(), false)), gone.writes());
        assertEquals(List.of("drone.out_of_dock", "launch.permit_used", "dock.mode"), types(gone));
        assertEquals("drone-out", sup.mode());
        sup.plan(cmd("cover-close")); // now allowed
    }

    @Test
    void launch_permit_expires_and_is_revoked_by_rain() {
        DockInputs open = DockInputs.calm().withCover(CoverReport.OPEN, 100);
        openDock(DockInputs.calm());
        run("launch-permit", 20 * S);
        Outcome expired = sup.observe(open, 81 * S);
        assertEquals("the permit expired before the drone left", event(expired, "launch.permit_revoked").data().get("reason"));
        run("launch-permit", 90 * S);
        Outcome rain = sup.observe(open.withWeather(3, 2, 18), 91 * S);
        assertEquals(List.of(new CoilWrite("launch-permit", COILS.launchPermit(), false),
                new CoilWrite("cover-close", COILS.coverClose(), true)), rain.writes(), "revoke first, then close");
        assertEquals("rainfall level 2 over the limit of 0", event(rain, "launch.permit_revoked").data().get("reason"));
    }

    @Test
    void launch_permit_needs_a_charged_drone_and_an_open_cover() {
        sup.observe(DockInputs.calm().withDrone(true, 30, ChargerState.CHARGING), 0);
        CommandException e = refused("launch-permit");
        assertEquals("launch not permitted: the cover is not fully open (closed); drone battery 30 % below the 50 % needed",
                e.getMessage());
    }

    @Test
    void e_stop_during_motion_is_abnormal_and_needs_a_reset_after_release() {
        sup.observe(DockInputs.calm(), 0);
        run("cover-open", S);
        Outcome pressed = sup.observe(DockInputs.calm().withCover(CoverReport.HALF_OPEN, 30).withEStop(EStop.PRESSED), 2 * S);
        assertEquals(List.of("estop.pressed", "cover.abnormal", "dock.mode"), types(pressed));
        assertEquals("emergency-stop", sup.mode());
        assertEquals("emergency stop pressed while the cover moved", event(pressed, "cover.abnormal").data().get("reason"));
        assertTrue(refused("emergency-stop-reset").getMessage().endsWith("the emergency stop button is still pressed"));
        assertTrue(refused("cover-close").getMessage().endsWith("the emergency stop is pressed"));
        Outcome released = sup.observe(DockInputs.calm().withCover(CoverReport.HALF_OPEN, 30).withEStop(EStop.LATCHED), 3 * S);
        assertEquals(List.of("estop.released"), types(released));
        Outcome reset = run("emergency-stop-reset", 4 * S);
        assertEquals(List.of(new CoilWrite("emergency-stop-reset", COILS.estopReset(), true)), reset.writes());
        Outcome clear = sup.observe(DockInputs.calm().withCover(CoverReport.HALF_OPEN, 30), 5 * S);
        assertEquals(List.of("estop.reset", "dock.mode"), types(clear));
        assertEquals("fault", sup.mode(), "the cover is still abnormal until it is moved home");
        assertEquals(List.of(), run("emergency-stop-reset", 6 * S).writes(), "nothing to reset");
    }

    @Test
    void unknown_actions_are_reported_as_such() {
        sup.observe(DockInputs.calm(), 0);
        CommandException e = assertThrows(CommandException.class, () -> sup.plan(cmd("self-destruct")));
        assertEquals(CommandException.Kind.UNKNOWN_ACTION, e.kind());
    }
}
