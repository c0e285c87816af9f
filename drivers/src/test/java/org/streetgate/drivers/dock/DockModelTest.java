package org.streetgate.drivers.dock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.dock.DockInputs.ChargerState;
import org.streetgate.drivers.dock.DockInputs.CoverReport;
import org.streetgate.drivers.dock.DockInputs.EStop;
import org.streetgate.drivers.dock.DockInputs.Sensor;

/** The simulated dock's physics and scripted weather, on a fake clock. */
class DockModelTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);

    private DockModel model(String scenario, double timeScale) {
        return new DockModel(DockScenario.named(scenario), Duration.ofSeconds(10), timeScale, clock::get);
    }

    private void at(double seconds, long start) {
        clock.set(start + (long) (seconds * 1e9));
    }

    @Test
    void the_cover_takes_its_travel_time_and_the_limit_switch_stops_the_motor() {
        DockModel m = model("calm", 1);
        long t0 = clock.get();
        assertEquals(CoverReport.CLOSED, m.inputs().cover());
        m.coverOpen();
        at(5, t0);
        assertEquals(CoverReport.HALF_OPEN, m.inputs().cover());
        assertEquals(50, m.inputs().coverPositionPct());
        at(10, t0);
        assertEquals(CoverReport.OPEN, m.inputs().cover());
        assertFalse(m.motorRunning());
        m.coverClose();
        at(12, t0);
        m.coverStop();
        at(20, t0);
        assertEquals(80, m.inputs().coverPositionPct(), "stopped after 2 s of closing");
        assertEquals(2, m.motions());
    }

    @Test
    void a_stalled_motor_keeps_running_with_the_cover_stuck_half_open() {
        DockModel m = model("motor-stall", 1);
        long t0 = clock.get();
        m.coverOpen();
        at(60, t0);
        assertEquals(CoverReport.HALF_OPEN, m.inputs().cover());
        assertEquals(40, m.inputs().coverPositionPct());
        assertTrue(m.motorRunning(), "only the gateway's timeout notices");
        m.coverClose();
        at(70, t0);
        assertEquals(CoverReport.CLOSED, m.inputs().cover(), "it stalls only on the way up");
    }

    @Test
    void the_e_stop_halts_the_motor_and_latches_until_reset() {
        DockModel m = model("calm", 1);
        long t0 = clock.get();
        m.coverOpen();
        at(3, t0);
        m.pressEStop();
        at(8, t0);
        assertEquals(30, m.inputs().coverPositionPct());
        assertEquals(EStop.PRESSED, m.inputs().estop());
        m.estopReset();
        assertEquals(EStop.PRESSED, m.inputs().estop(), "a pressed button cannot be reset");
        m.releaseEStop();
        assertEquals(EStop.LATCHED, m.inputs().estop());
        m.coverOpen();
        at(9, t0);
        assertEquals(30, m.inputs().coverPositionPct(), "no motion while latched");
        m.estopReset();
        assertEquals(EStop.RELEASED, m.inputs().estop());
    }

    @Test
    void the_charger_fills_the_battery_only_with_the_drone_in() {
        DockModel m = model("calm", 1);
        long t0 = clock.get();
        m.droneReturns(95);
        assertEquals(ChargerState.OFF, m.inputs().charger());
        m.charger(true);
        at(4, t0);
        assertEquals(ChargerState.CHARGING, m.inputs().charger());
        assertEquals(97, m.inputs().droneBatteryPct());
        at(20, t0);
        assertEquals(ChargerState.FULL, m.inputs().charger());
        m.droneLeaves();
        assertEquals(ChargerState.OFF, m.inputs().charger());
        assertFalse(m.inputs().dronePresent());
    }

    @Test
    void a_plc_cover_fault_reads_as_fault_and_blocks_the_motor() {
        DockModel m = model("calm", 1);
        m.coverFault(true);
        m.coverOpen();
        assertEquals(CoverReport.FAULT, m.inputs().cover());
        assertEquals(0, m.motions());
    }

    @Test
    void gusts_blow_over_the_limit_for_eight_seconds_a_minute() {
        DockModel m = model("gusts", 1);
        long t0 = clock.get();
        at(19, t0);
        assertEquals(6.0, m.inputs().windSpeedMs());
        at(20, t0);
        assertEquals(15.0, m.inputs().windSpeedMs());
        at(28, t0);
        assertEquals(6.0, m.inputs().windSpeedMs());
        at(81, t0);
        assertEquals(15.0, m.inputs().windSpeedMs(), "the script repeats every minute");
    }

    @Test
    void a_rain_shower_starts_light_gets_heavier_and_stops() {
        DockModel m = model("rain-shower", 1);
        long t0 = clock.get();
        at(29, t0);
        assertEquals(0, m.inputs().rainfallLevel());
        at(31, t0);
        assertEquals(1, m.inputs().rainfallLevel());
        at(45, t0);
        assertEquals(2, m.inputs().rainfallLevel());
        assertEquals(14.0, m.inputs().temperatureC());
        at(81, t0);
        assertEquals(0, m.inputs().rainfallLevel());
    }

    @Test
    void the_anemometer_fails_and_comes_back() {
        DockModel m = model("sensor-failure", 1);
        long t0 = clock.get();
        at(31, t0);
        assertEquals(Set.of(Sensor.WIND), m.inputs().failedSensors());
        at(91, t0);
        assertEquals(Set.of(), m.inputs().failedSensors());
    }

    @Test
    void time_scale_speeds_the_script_up_and_manual_weather_overrides_it() {
        DockModel m = model("gusts", 10);
        long t0 = clock.get();
        at(2.1, t0);
        assertEquals(15.0, m.inputs().windSpeedMs(), "2.1 s at 10x is 21 s of scenario");
        m.weather(DockScenario.Weather.fair().withRain(3));
        assertEquals(3, m.inputs().rainfallLevel());
        assertEquals(3.0, m.inputs().windSpeedMs());
    }

    @Test
    void unknown_scenarios_name_the_known_ones() {
        var e = assertThrows(IllegalArgumentException.class, () -> DockScenario.named("tornado"));
        assertTrue(e.getMessage().contains("calm, gusts, rain-shower, sensor-failure, motor-stall"));
    }
}
