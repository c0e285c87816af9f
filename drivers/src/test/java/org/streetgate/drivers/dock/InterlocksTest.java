package org.streetgate.drivers.dock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.dock.DockInputs.ChargerState;
import org.streetgate.drivers.dock.DockInputs.CoverReport;
import org.streetgate.drivers.dock.DockInputs.EStop;
import org.streetgate.drivers.dock.DockInputs.Sensor;
import org.streetgate.drivers.dock.DockStateMachine.CoverState;
import org.streetgate.drivers.dock.Interlocks.Decision;
import org.streetgate.drivers.dock.Interlocks.Situation;

/** Every interlock, as a pure decision with its reasons. Limits: wind 12 m/s, rain 0, -20..45 °C. */
class InterlocksTest {
    private static final DockConfig.Limits LIMITS = DockConfig.Limits.defaults();
    private static final DockConfig.AutoClose AUTO = DockConfig.AutoClose.all();

    private static Situation closed(DockInputs in) {
        return new Situation(true, in, CoverState.CLOSED, false);
    }

    private static Situation open(DockInputs in) {
        return new Situation(true, in.withCover(CoverReport.OPEN, 100), CoverState.OPEN, false);
    }

    @Test
    void cover_opens_in_fair_weather_with_the_e_stop_released() {
        assertTrue(Interlocks.coverOpen(closed(DockInputs.calm()), LIMITS).allowed());
    }

    @Test
    void wind_over_the_limit_forbids_opening_and_says_by_how_much() {
        Decision d = Interlocks.coverOpen(closed(DockInputs.calm().withWeather(12.1, 0, 18)), LIMITS);
        assertFalse(d.allowed());
        assertEquals("wind 12.1 m/s over the limit of 12.0 m/s", d.reason());
        assertTrue(Interlocks.coverOpen(closed(DockInputs.calm().withWeather(12.0, 0, 18)), LIMITS).allowed(),
                "the limit itself is allowed");
    }

    @Test
    void any_rain_over_the_limit_forbids_opening() {
        assertEquals("rainfall level 1 over the limit of 0",
                Interlocks.coverOpen(closed(DockInputs.calm().withWeather(2, 1, 18)), LIMITS).reason());
        var lenient = new DockConfig.Limits(12, 1, -20, 45);
        assertTrue(Interlocks.coverOpen(closed(DockInputs.calm().withWeather(2, 1, 18)), lenient).allowed());
    }

    @Test
    void temperature_outside_the_range_forbids_opening() {
        assertEquals("temperature -20.5 °C below the minimum of -20.0 °C",
                Interlocks.coverOpen(closed(DockInputs.calm().withWeather(2, 0, -20.5)), LIMITS).reason());
        assertEquals("temperature 46.0 °C above the maximum of 45.0 °C",
                Interlocks.coverOpen(closed(DockInputs.calm().withWeather(2, 0, 46)), LIMITS).reason());
    }

    @Test
    void a_failed_sensor_counts_as_unsafe_whatever_its_register_says() {
        DockInputs in = DockInputs.calm().withWeather(0, 0, 18).withFailed(Set.of(Sensor.WIND));
        assertEquals("wind sensor failed", Interlocks.coverOpen(closed(in), LIMITS).reason());
    }

    @Test
    void every_reason_is_given_at_once() {
        DockInputs in = DockInputs.calm().withWeather(20, 3, 50).withEStop(EStop.PRESSED);
        Decision d = Interlocks.coverOpen(closed(in), LIMITS);
        assertEquals(List.of("the emergency stop is pressed", "wind 20.0 m/s over the limit of 12.0 m/s",
                "rainfall level 3 over the limit of 0", "temperature 50.0 °C above the maximum of 45.0 °C"), d.reasons());
    }

    @Test
    void e_stop_pressed_or_latched_forbids_cover_motion_both_ways() {
        for (EStop e : List.of(EStop.PRESSED, EStop.LATCHED)) {
            DockInputs in = DockInputs.calm().withEStop(e);
            assertFalse(Interlocks.coverOpen(closed(in), LIMITS).allowed(), e.name());
            assertFalse(Interlocks.coverClose(open(in)).allowed(), e.name());
        }
        assertEquals("the emergency stop is latched: reset it first",
                Interlocks.coverClose(open(DockInputs.calm().withEStop(EStop.LATCHED))).reason());
    }

    @Test
    void without_plc_contact_every_command_is_refused() {
        Situation lost = new Situation(false, DockInputs.calm(), CoverState.CLOSED, false);
        for (Decision d : List.of(Interlocks.coverOpen(lost, LIMITS), Interlocks.coverClose(lost),
                Interlocks.chargeOn(lost), Interlocks.chargeOff(lost), Interlocks.launchPermit(lost, LIMITS, 50),
                Interlocks.estopReset(lost))) {
            assertEquals("no contact with the dock PLC", d.reasons().get(0));
        }
        Situation never = new Situation(true, null, null, false);
        assertEquals("the dock PLC has not been read yet", Interlocks.coverClose(never).reason());
    }

    @Test
    void a_plc_cover_fault_forbids_opening_but_not_closing() {
        Situation s = new Situation(true, DockInputs.calm().withCover(CoverReport.FAULT, 30), CoverState.ABNORMAL, false);
        assertEquals("the PLC reports a cover fault", Interlocks.coverOpen(s, LIMITS).reason());
        assertTrue(Interlocks.coverClose(s).allowed());
    }

    @Test
    void cover_closes_in_any_weather_but_not_under_a_launch_permit_with_the_drone_in() {
        DockInputs storm = DockInputs.calm().withWeather(25, 3, -30);
        assertTrue(Interlocks.coverClose(open(storm)).allowed());
        Situation permitted = new Situation(true, DockInputs.calm().withCover(CoverReport.OPEN, 100), CoverState.OPEN, true);
        assertEquals("a launch permit is in force and the drone may be lifting off",
                Interlocks.coverClose(permitted).reason());
        Situation gone = new Situation(true, DockInputs.calm().withCover(CoverReport.OPEN, 100)
                .withDrone(false, 0, ChargerState.OFF), CoverState.OPEN, true);
        assertTrue(Interlocks.coverClose(gone).allowed(), "once the drone is out the permit no longer blocks");
    }

    @Test
    void charger_needs_a_drone_and_a_cover_at_rest() {
        assertTrue(Interlocks.chargeOn(closed(DockInputs.calm())).allowed());
        assertEquals("no drone in the dock",
                Interlocks.chargeOn(closed(DockInputs.calm().withDrone(false, 0, ChargerState.OFF))).reason());
        for (CoverState moving : List.of(CoverState.OPENING, CoverState.CLOSING)) {
            Situation s = new Situation(true, DockInputs.calm().withCover(CoverReport.HALF_OPEN, 50), moving, false);
            assertEquals("the charger stays off while the cover moves", Interlocks.chargeOn(s).reason());
            assertTrue(Interlocks.chargeOff(s).allowed(), "switching off is always allowed");
        }
    }

    @Test
    void launch_needs_the_cover_fully_open_the_drone_in_and_charged_enough() {
        DockInputs ready = DockInputs.calm().withDrone(true, 50, ChargerState.CHARGING);
        assertTrue(Interlocks.launchPermit(open(ready), LIMITS, 50).allowed());
        assertEquals("the cover is not fully open (closed)", Interlocks.launchPermit(closed(ready), LIMITS, 50).reason());
        Situation opening = new Situation(true, ready.withCover(CoverReport.HALF_OPEN, 80), CoverState.OPENING, false);
        assertEquals("the cover is not fully open (opening)", Interlocks.launchPermit(opening, LIMITS, 50).reason());
        Situation disagree = new Situation(true, ready.withCover(CoverReport.HALF_OPEN, 99), CoverState.OPEN, false);
        assertFalse(Interlocks.launchPermit(disagree, LIMITS, 50).allowed(), "the limit switch must agree");
        assertEquals("drone battery 49 % below the 50 % needed",
                Interlocks.launchPermit(open(ready.withDrone(true, 49, ChargerState.CHARGING)), LIMITS, 50).reason());
        assertEquals("no drone in the dock",
                Interlocks.launchPermit(open(ready.withDrone(false, 0, ChargerState.OFF)), LIMITS, 50).reason());
        assertEquals("wind 13.0 m/s over the limit of 12.0 m/s",
                Interlocks.launchPermit(open(ready.withWeather(13, 0, 18)), LIMITS, 50).reason());
    }

    @Test
    void e_stop_reset_waits_for_the_button_to_be_released() {
        assertEquals("the emergency stop button is still pressed",
                Interlocks.estopReset(closed(DockInputs.calm().withEStop(EStop.PRESSED))).reason());
        assertTrue(Interlocks.estopReset(closed(DockInputs.calm().withEStop(EStop.LATCHED))).allowed());
    }

    @Test
    void auto_close_when_rain_starts_or_wind_exceeds_the_limit_with_the_drone_in() {
        assertEquals(Optional.empty(), Interlocks.autoClose(open(DockInputs.calm()), LIMITS, AUTO));
        assertEquals(Optional.of("rain started (level 1)"),
                Interlocks.autoClose(open(DockInputs.calm().withWeather(2, 1, 18)), LIMITS, AUTO));
        assertEquals(Optional.of("wind 15.0 m/s over the limit of 12.0 m/s"),
                Interlocks.autoClose(open(DockInputs.calm().withWeather(15, 0, 18)), LIMITS, AUTO));
        assertEquals(Optional.of("wind sensor failed"), Interlocks.autoClose(
                open(DockInputs.calm().withFailed(Set.of(Sensor.WIND))), LIMITS, AUTO));
        Situation opening = new Situation(true, DockInputs.calm().withWeather(2, 2, 18), CoverState.OPENING, false);
        assertTrue(Interlocks.autoClose(opening, LIMITS, AUTO).isPresent(), "an opening cover turns back");
    }

    @Test
    void no_auto_close_with_the_drone_out_when_closed_or_when_switched_off() {
        DockInputs rain = DockInputs.calm().withWeather(15, 2, 18);
        assertTrue(Interlocks.autoClose(open(rain.withDrone(false, 0, ChargerState.OFF)), LIMITS, AUTO).isEmpty(),
                "closing would lock the drone out");
        assertTrue(Interlocks.autoClose(closed(rain), LIMITS, AUTO).isEmpty());
        assertTrue(Interlocks.autoClose(open(rain), LIMITS, new DockConfig.AutoClose(false, false, true)).isEmpty());
        assertEquals(Optional.of("wind 15.0 m/s over the limit of 12.0 m/s"),
                Interlocks.autoClose(open(rain), LIMITS, new DockConfig.AutoClose(false, true, true)));
        Situation lost = new Situation(false, rain, CoverState.OPEN, false);
        assertTrue(Interlocks.autoClose(lost, LIMITS, AUTO).isEmpty(), "no action on a stale picture");
    }
}
