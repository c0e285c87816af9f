package org.streetgate.drivers.dock;

import static org.streetgate.drivers.dock.DockConfig.fmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.streetgate.drivers.dock.DockInputs.CoverReport;
import org.streetgate.drivers.dock.DockInputs.EStop;
import org.streetgate.drivers.dock.DockInputs.Sensor;
import org.streetgate.drivers.dock.DockStateMachine.CoverState;

/**
 * The dock's safety rules as pure functions: each takes what the gateway knows and says whether an
 * action is allowed, with every reason when it is not. Unknown counts as unsafe: no PLC contact, a
 * failed sensor or a missing reading forbids what needs them.
 */
public final class Interlocks {
    private Interlocks() {}

    /**
     * What the gateway knows at one moment.
     *
     * @param inputs          the last PLC reading, null before the first
     * @param cover           the tracked cover state, null before the first reading
     * @param launchPermitted whether a launch permit is in force
     */
    public record Situation(boolean plcContact, DockInputs inputs, CoverState cover, boolean launchPermitted) {}

    /** Allowed when there are no reasons against. */
    public record Decision(List<String> reasons) {
        public Decision {
            reasons = List.copyOf(reasons);
        }

        public static Decision allow() {
            return new Decision(List.of());
        }

        public boolean allowed() {
            return reasons.isEmpty();
        }

        /** Every reason, joined for a command result or an event. */
        public String reason() {
            return String.join("; ", reasons);
        }
    }

    /** Why the weather (or a failed sensor) forbids opening or launching; empty when it allows. */
    public static List<String> weather(DockInputs in, DockConfig.Limits l) {
        List<String> why = new ArrayList<>();
        for (Sensor s : in.failedSensors()) {
            why.add(s.wire() + " sensor failed");
        }
        if (!in.failed(Sensor.WIND) && in.windSpeedMs() > l.windMaxMs()) {
            why.add("wind " + fmt(in.windSpeedMs()) + " m/s over the limit of " + fmt(l.windMaxMs()) + " m/s");
        }
        if (!in.failed(Sensor.RAIN) && in.rainfallLevel() > l.rainMaxLevel()) {
            why.add("rainfall level " + in.rainfallLevel() + " over the limit of " + l.rainMaxLevel());
        }
        if (!in.failed(Sensor.TEMPERATURE)) {
            if (in.temperatureC() < l.temperatureMinC()) {
                why.add("temperature " + fmt(in.temperatureC()) + " °C below the minimum of "
                        + fmt(l.temperatureMinC()) + " °C");
            } else if (in.temperatureC() > l.temperatureMaxC()) {
                why.add("temperature " + fmt(in.temperatureC()) + " °C above the maximum of "
                        + fmt(l.temperatureMaxC()) + " °C");
            }
        }
        return why;
    }

    /** The cover opens only with PLC contact, the e-stop released, no cover fault and fair weather. */
    public static Decision coverOpen(Situation s, DockConfig.Limits l) {
        List<String> why = basics(s);
        if (s.inputs() != null) {
            if (s.inputs().cover() == CoverReport.FAULT) {
                why.add("the PLC reports a cover fault");
            }
            why.addAll(weather(s.inputs(), l));
        }
        return new Decision(why);
    }

    /**
     * The cover closes in any weather, but not while a launch permit is in force with the drone
     * still in the dock: it may be lifting off.
     */
    public static Decision coverClose(Situation s) {
        List<String> why = basics(s);
        if (s.launchPermitted() && s.inputs() != null && s.inputs().dronePresent()) {
            why.add("a launch permit is in force and the drone may be lifting off");
        }
        return new Decision(why);
    }

    /** The charger is switched on only for a drone in the dock and never while the cover moves. */
    public static Decision chargeOn(Situation s) {
        List<String> why = basics(s);
        if (s.inputs() != null && !s.inputs().dronePresent()) {
            why.add("no drone in the dock");
        }
        if (s.cover() != null && s.cover().moving()) {
            why.add("the charger stays off while the cover moves");
        }
        return new Decision(why);
    }

    /** Switching the charger off is always safe; it needs only the PLC. */
    public static Decision chargeOff(Situation s) {
        return new Decision(contact(s));
    }

    /** Launch only with the cover fully open, the drone in, charged enough, and fair weather. */
    public static Decision launchPermit(Situation s, DockConfig.Limits l, int batteryMinPct) {
        List<String> why = basics(s);
        if (s.inputs() == null) {
            return new Decision(why);
        }
        DockInputs in = s.inputs();
        if (s.cover() != CoverState.OPEN || in.cover() != CoverReport.OPEN) {
            why.add("the cover is not fully open (" + (s.cover() == null ? "unknown" : s.cover().wire()) + ")");
        }
        if (!in.dronePresent()) {
            why.add("no drone in the dock");
        } else if (in.droneBatteryPct() < batteryMinPct) {
            why.add("drone battery " + in.droneBatteryPct() + " % below the " + batteryMinPct + " % needed");
        }
        why.addAll(weather(in, l));
        return new Decision(why);
    }

    /** The e-stop latch resets only once the button itself is released. */
    public static Decision estopReset(Situation s) {
        List<String> why = contact(s);
        if (s.inputs() != null && s.inputs().estop() == EStop.PRESSED) {
            why.add("the emergency stop button is still pressed");
        }
        return new Decision(why);
    }

    /**
     * Why an open (or opening) cover must close on its own now, or empty. Only while the drone is
     * in the dock: with the drone out, closing would lock it out, so the platform decides.
     */
    public static Optional<String> autoClose(Situation s, DockConfig.Limits l, DockConfig.AutoClose a) {
        DockInputs in = s.inputs();
        if (!s.plcContact() || in == null || s.cover() == null
                || !(s.cover() == CoverState.OPEN || s.cover() == CoverState.OPENING) || !in.dronePresent()) {
            return Optional.empty();
        }
        List<String> why = new ArrayList<>();
        if (a.rain() && !in.failed(Sensor.RAIN) && in.rainfallLevel() > l.rainMaxLevel()) {
            why.add("rain started (level " + in.rainfallLevel() + ")");
        }
        if (a.wind() && !in.failed(Sensor.WIND) && in.windSpeedMs() > l.windMaxMs()) {
            why.add("wind " + fmt(in.windSpeedMs()) + " m/s over the limit of " + fmt(l.windMaxMs()) + " m/s");
        }
        if (a.sensorFault()) {
            for (Sensor f : in.failedSensors()) {
                why.add(f.wire() + " sensor failed");
            }
        }
        return why.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", why));
    }

    private static List<String> basics(Situation s) {
        List<String> why = contact(s);
        if (s.inputs() != null && s.inputs().estop() != EStop.RELEASED) {
            why.add(s.inputs().estop() == EStop.PRESSED ? "the emergency stop is pressed"
                    : "the emergency stop is latched: reset it first");
        }
        return why;
    }

    private static List<String> contact(Situation s) {
        List<String> why = new ArrayList<>();
        if (!s.plcContact()) {
            why.add("no contact with the dock PLC");
        } else if (s.inputs() == null) {
            why.add("the dock PLC has not been read yet");
        }
        return why;
    }
}
