package org.streetgate.drivers.dock;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.streetgate.drivers.dock.DockInputs.CoverReport;
import org.streetgate.drivers.dock.DockInputs.EStop;
import org.streetgate.drivers.dock.DockInputs.Sensor;
import org.streetgate.drivers.dock.DockStateMachine.CoverState;
import org.streetgate.drivers.dock.DockStateMachine.Transition;
import org.streetgate.drivers.dock.Interlocks.Decision;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.spi.Message.Severity;

/**
 * The dock's safety brain, without I/O: it takes PLC readings, lost contact and commands, and answers
 * with the coil writes to make and the events to publish. The driver does the I/O and calls it under
 * one lock, so a command is decided and carried out against the same picture of the dock. Time comes
 * in as monotonic nanoseconds.
 */
public final class DockSupervisor {
    /** One coil to write; {@code name} is the map's key, for logs and tests. */
    public record CoilWrite(String name, int address, boolean on) {}

    /** What to do after an observation or a command: writes first, then the events, and a command's result. */
    public record Outcome(List<CoilWrite> writes, List<Message.Event> events, Map<String, Object> result) {
        public Outcome {
            writes = List.copyOf(writes);
            events = List.copyOf(events);
            result = result == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(result));
        }
    }

    /** An accepted command: the writes that carry it out; {@link #applied} then records it. */
    public record Plan(String action, List<CoilWrite> writes) {
        public Plan {
            writes = List.copyOf(writes);
        }
    }

    public static final List<String> ACTIONS = List.of("cover-open", "cover-close", "charge-on", "charge-off",
            "launch-permit", "emergency-stop-reset");

    private final String device;
    private final DockConfig config;
    private final DockRegisterMap.Coils coils;
    private final DockStateMachine cover;

    private boolean contact = true; // until a poll fails; commands still wait for the first reading
    private boolean everRead;
    private DockInputs inputs;
    private boolean chargerWanted;
    private boolean chargerCoil;
    private boolean chargerPaused;
    private boolean permitted;
    private long permitUntil;
    private boolean permitCoilUnknown = true; // after a restart the PLC may still hold a permit nobody granted
    private String mode = "starting";

    public DockSupervisor(String device, DockConfig config) {
        this.device = device;
        this.config = config;
        this.coils = config.map().coils();
        this.cover = new DockStateMachine(config.motionTimeout());
    }

    public Optional<CoverState> coverState() {
        return cover.state();
    }

    public String mode() {
        return mode;
    }

    public boolean plcContact() {
        return contact;
    }

    public boolean launchPermitted() {
        return permitted;
    }

    /** The last reading, or null. */
    public DockInputs inputs() {
        return inputs;
    }

    /** Why the device is not healthy beyond communication (an abnormal cover), or null. */
    public String problem() {
        return cover.abnormalReason();
    }

    public Interlocks.Situation situation() {
        return new Interlocks.Situation(contact, inputs, cover.state().orElse(null), permitted);
    }

    /** Takes one PLC reading: events for what changed, the state machine, and the automatic safety actions. */
    public Outcome observe(DockInputs in, long now) {
        List<CoilWrite> writes = new ArrayList<>();
        List<Message.Event> events = new ArrayList<>();
        DockInputs before = inputs;
        if (!contact) {
            contact = true;
            events.add(event("plc.restored", Severity.INFO, Map.of()));
        }
        if (permitCoilUnknown) {
            // The permit coil may still be on from before a restart or lost contact: make sure it is off.
            writes.add(new CoilWrite("launch-permit", coils.launchPermit(), false));
            permitCoilUnknown = false;
        }
        if (!everRead) {
            // Adopt the charger as found: the gateway may have restarted while it was charging.
            chargerCoil = chargerWanted = in.charger() != DockInputs.ChargerState.OFF;
        }
        everRead = true;
        inputs = in;
        edges(before, in, events);

        if (in.estop() == EStop.PRESSED && (before == null || before.estop() != EStop.PRESSED)) {
            cover.halt("emergency stop pressed while the cover moved").ifPresent(t -> transition(t, events));
        }
        boolean wasMoving = cover.moving();
        Optional<Transition> t = cover.observe(in.cover(), now);
        t.ifPresent(tr -> transition(tr, events));
        if (t.isPresent() && t.get().to() == CoverState.ABNORMAL && wasMoving) {
            writes.add(new CoilWrite("cover-stop", coils.coverStop(), true));
        }
        revokePermitIfNeeded(now, writes, events);

        Interlocks.autoClose(situation(), config.limits(), config.autoClose()).ifPresent(reason -> {
            events.add(event("cover.auto_close", Severity.WARNING, Map.of("reason", reason)));
            writes.addAll(closeWrites());
            pauseCharger(writes);
            cover.close("closing on its own: " + reason, now).ifPresent(tr -> transition(tr, events));
        });

        if (cover.moving() && (chargerCoil || in.charger() != DockInputs.ChargerState.OFF)
                && writes.stream().noneMatch(w -> w.name().equals("charger"))) {
            writes.add(chargerWrite(false));
            chargerPaused = chargerPaused || chargerWanted;
        } else if (!cover.moving() && chargerPaused) {
            chargerPaused = false;
            if (chargerWanted && in.dronePresent() && in.estop() == EStop.RELEASED) {
                writes.add(chargerWrite(true));
            }
        }
        updateMode(events);
        return new Outcome(writes, events, null);
    }

    /** The PLC stopped answering: commands are refused until it answers again. */
    public Outcome contactLost(String why, long now) {
        List<Message.Event> events = new ArrayList<>();
        if (contact) {
            contact = false;
            events.add(event("plc.lost", Severity.ALARM, Map.of("error", why)));
        }
        if (permitted) {
            permitted = false;
            permitCoilUnknown = true;
            events.add(event("launch.permit_revoked", Severity.WARNING, Map.of("reason", "lost contact with the dock PLC")));
        }
        updateMode(events);
        return new Outcome(List.of(), events, null);
    }

    /**
     * Decides a command against the current picture.
     *
     * @throws CommandException REFUSED with every reason when an interlock forbids it, or
     *                          UNKNOWN_ACTION
     */
    public Plan plan(Command c) {
        Interlocks.Situation s = situation();
        return switch (c.action()) {
            case "cover-open" -> {
                require(Interlocks.coverOpen(s, config.limits()), "cannot open the cover");
                CoverState st = cover.state().orElse(null);
                yield new Plan(c.action(), st == CoverState.OPEN || st == CoverState.OPENING ? List.of() : openWrites());
            }
            case "cover-close" -> {
                require(Interlocks.coverClose(s), "cannot close the cover");
                CoverState st = cover.state().orElse(null);
                yield new Plan(c.action(), st == CoverState.CLOSED || st == CoverState.CLOSING ? List.of() : closeWrites());
            }
            case "charge-on" -> {
                require(Interlocks.chargeOn(s), "cannot switch the charger on");
                yield new Plan(c.action(), List.of(chargerWriteFor(true)));
            }
            case "charge-off" -> {
                require(Interlocks.chargeOff(s), "cannot switch the charger off");
                yield new Plan(c.action(), List.of(chargerWriteFor(false)));
            }
            case "launch-permit" -> {
                require(Interlocks.launchPermit(s, config.limits(), config.launchBatteryMinPct()),
                        "launch not permitted");
                yield new Plan(c.action(), List.of(new CoilWrite("launch-permit", coils.launchPermit(), true)));
            }
            case "emergency-stop-reset" -> {
                require(Interlocks.estopReset(s), "cannot reset the emergency stop");
                yield new Plan(c.action(), inputs.estop() == EStop.RELEASED ? List.of()
                        : List.of(new CoilWrite("emergency-stop-reset", coils.estopReset(), true)));
            }
            default -> throw CommandException.unknownAction(device, c.action());
        };
    }

    /** Records that a plan's writes were made; returns its events and the command's result. */
    public Outcome applied(Plan p, long now) {
        List<Message.Event> events = new ArrayList<>();
        Map<String, Object> result = new LinkedHashMap<>();
        boolean changed = !p.writes().isEmpty();
        switch (p.action()) {
            case "cover-open" -> {
                if (changed) {
                    pauseCharger(p.writes());
                    cover.open("cover-open command", now).ifPresent(t -> transition(t, events));
                }
            }
            case "cover-close" -> {
                if (changed) {
                    pauseCharger(p.writes());
                    cover.close("cover-close command", now).ifPresent(t -> transition(t, events));
                }
            }
            case "charge-on" -> {
                chargerWanted = true;
                chargerCoil = true;
            }
            case "charge-off" -> {
                chargerWanted = false;
                chargerCoil = false;
                chargerPaused = false;
            }
            case "launch-permit" -> {
                permitted = true;
                permitUntil = now + config.launchPermitValid().toNanos();
                events.add(event("launch.permitted", Severity.INFO,
                        Map.of("valid_ms", config.launchPermitValid().toMillis())));
                result.put("granted", true);
                result.put("valid_ms", config.launchPermitValid().toMillis());
            }
            case "emergency-stop-reset" -> {
                if (changed) {
                    events.add(event("estop.reset_requested", Severity.INFO, Map.of()));
                }
            }
            default -> throw new IllegalStateException(p.action());
        }
        result.put("changed", changed);
        cover.state().ifPresent(st -> {
            result.put("cover", st.wire());
            result.put("cover_state", st.code());
        });
        updateMode(events);
        return new Outcome(List.of(), events, result);
    }

    /**
     * The metrics of the last reading, DJI-dock style; empty without contact, so that a stale
     * picture is never published as current. Values of failed sensors are left out.
     */
    public Map<String, Double> metrics() {
        if (!contact || inputs == null || cover.state().isEmpty()) {
            return Map.of();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("cover_state", (double) cover.state().get().code());
        m.put("cover_position_pct", (double) inputs.coverPositionPct());
        if (!inputs.failed(Sensor.WIND)) {
            m.put("wind_speed_m_s", inputs.windSpeedMs());
        }
        if (!inputs.failed(Sensor.RAIN)) {
            m.put("rainfall_level", (double) inputs.rainfallLevel());
        }
        if (!inputs.failed(Sensor.TEMPERATURE)) {
            m.put("environment_temperature_c", inputs.temperatureC());
        }
        if (inputs.dronePresent()) {
            m.put("drone_battery_pct", (double) inputs.droneBatteryPct());
        }
        m.put("charger_state", (double) inputs.charger().ordinal());
        return m;
    }

    private void edges(DockInputs before, DockInputs in, List<Message.Event> events) {
        if (before == null || before.dronePresent() != in.dronePresent()) {
            events.add(event(in.dronePresent() ? "drone.in_dock" : "drone.out_of_dock", Severity.INFO,
                    Map.of("drone_in_dock", in.dronePresent())));
        }
        EStop was = before == null ? EStop.RELEASED : before.estop();
        if (was != in.estop()) {
            switch (in.estop()) {
                case PRESSED -> events.add(event("estop.pressed", Severity.ALARM, Map.of()));
                case LATCHED -> events.add(event("estop.released", Severity.WARNING,
                        Map.of("reason", "button released; send emergency-stop-reset to resume")));
                case RELEASED -> events.add(event("estop.reset", Severity.INFO, Map.of()));
            }
        }
        Set<Sensor> failedBefore = before == null ? Set.of() : before.failedSensors();
        for (Sensor s : Sensor.values()) {
            boolean now = in.failed(s);
            if (now != failedBefore.contains(s)) {
                events.add(now ? event("weather.sensor_failed", Severity.WARNING, Map.of("sensor", s.wire()))
                        : event("weather.sensor_restored", Severity.INFO, Map.of("sensor", s.wire())));
            }
        }
    }

    private void revokePermitIfNeeded(long now, List<CoilWrite> writes, List<Message.Event> events) {
        if (!permitted) {
            return;
        }
        String why = null;
        Severity sev = Severity.WARNING;
        if (!inputs.dronePresent()) {
            why = "the drone left the dock";
            sev = Severity.INFO;
        } else if (now - permitUntil > 0) {
            why = "the permit expired before the drone left";
            sev = Severity.INFO;
        } else if (inputs.estop() != EStop.RELEASED) {
            why = "emergency stop";
        } else if (cover.state().orElse(null) != CoverState.OPEN || inputs.cover() != CoverReport.OPEN) {
            why = "the cover is no longer fully open";
        } else {
            List<String> weather = Interlocks.weather(inputs, config.limits());
            if (!weather.isEmpty()) {
                why = String.join("; ", weather);
            }
        }
        if (why != null) {
            permitted = false;
            writes.add(new CoilWrite("launch-permit", coils.launchPermit(), false));
            events.add(event(sev == Severity.INFO && !inputs.dronePresent() ? "launch.permit_used"
                    : "launch.permit_revoked", sev, Map.of("reason", why)));
        }
    }

    private void updateMode(List<Message.Event> events) {
        String next;
        if (!contact) {
            next = "plc-lost";
        } else if (inputs == null) {
            next = "starting";
        } else if (inputs.estop() != EStop.RELEASED) {
            next = "emergency-stop";
        } else if (cover.state().orElse(null) == CoverState.ABNORMAL) {
            next = "fault";
        } else if (!inputs.dronePresent()) {
            next = "drone-out";
        } else if (permitted) {
            next = "launch-ready";
        } else {
            next = "idle";
        }
        if (!next.equals(mode)) {
            events.add(event("dock.mode", Severity.INFO, Map.of("mode", next, "previous", mode)));
            mode = next;
        }
    }

    private void transition(Transition t, List<Message.Event> events) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("cover_state", t.to().code());
        data.put("from", t.from() == null ? "unknown" : t.from().wire());
        data.put("reason", t.reason());
        events.add(event("cover." + t.to().wire(), t.to() == CoverState.ABNORMAL ? Severity.ALARM : Severity.INFO, data));
    }

    /** The writes that start opening: the charger goes off first, since it stays off while the cover moves. */
    private List<CoilWrite> openWrites() {
        return motionWrites(new CoilWrite("cover-open", coils.coverOpen(), true));
    }

    private List<CoilWrite> closeWrites() {
        return motionWrites(new CoilWrite("cover-close", coils.coverClose(), true));
    }

    private List<CoilWrite> motionWrites(CoilWrite start) {
        List<CoilWrite> w = new ArrayList<>();
        if (chargerCoil || inputs != null && inputs.charger() != DockInputs.ChargerState.OFF) {
            w.add(chargerWriteFor(false));
        }
        w.add(start);
        return w;
    }

    /** Records that {@code writes} switched the charger off for a motion, to resume it afterwards. */
    private void pauseCharger(List<CoilWrite> writes) {
        if (writes.stream().anyMatch(w -> w.name().equals("charger") && !w.on())) {
            chargerCoil = false;
            chargerPaused = chargerWanted;
        }
    }

    /** A charger write whose state change is recorded now (automatic actions). */
    private CoilWrite chargerWrite(boolean on) {
        chargerCoil = on;
        return new CoilWrite("charger", coils.charger(), on);
    }

    /** A charger write recorded only once applied (commands). */
    private CoilWrite chargerWriteFor(boolean on) {
        return new CoilWrite("charger", coils.charger(), on);
    }

    private void require(Decision d, String what) {
        if (!d.allowed()) {
            throw new CommandException(CommandException.Kind.REFUSED, what + ": " + d.reason());
        }
    }

    private Message.Event event(String type, Severity severity, Map<String, Object> data) {
        return new Message.Event(device, type, severity, data);
    }
}
