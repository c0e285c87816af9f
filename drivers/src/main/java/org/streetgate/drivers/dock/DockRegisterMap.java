package org.streetgate.drivers.dock;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.streetgate.drivers.config.ConfigReader;

/**
 * Where the dock PLC keeps each value: coils the gateway writes (FC 05) and input registers it
 * reads in one block (FC 04). The built-in map is {@code streetgate-dock-v1} (docs/drone-dock.md);
 * a profile may move any address with {@code coils:} and {@code input-registers:}.
 *
 * @param unit the PLC's Modbus unit id
 */
public record DockRegisterMap(String name, int unit, Coils coils, Inputs inputs) {
    public static final String V1 = "streetgate-dock-v1";

    /** Most PLCs answer at most 125 registers per read; the inputs must fit in one. */
    public static final int MAX_SPAN = 125;

    /**
     * Coil addresses. {@code coverOpen}, {@code coverClose}, {@code coverStop} and {@code estopReset}
     * are momentary: writing ON starts the action and the PLC clears the coil. {@code charger} and
     * {@code launchPermit} hold their level.
     */
    public record Coils(int coverOpen, int coverClose, int coverStop, int charger, int launchPermit,
                        int estopReset) {
        static final List<String> KEYS = List.of("cover-open", "cover-close", "cover-stop", "charger",
                "launch-permit", "emergency-stop-reset");

        List<Integer> all() {
            return List.of(coverOpen, coverClose, coverStop, charger, launchPermit, estopReset);
        }
    }

    /** Input register addresses; scaling is fixed by the map (x10 for wind and temperature). */
    public record Inputs(int coverState, int coverPosition, int windSpeed, int rainfall, int temperature,
                         int dronePresent, int chargerState, int droneBattery, int estop, int sensorFaults) {
        static final List<String> KEYS = List.of("cover-state", "cover-position", "wind-speed", "rainfall",
                "temperature", "drone-present", "charger-state", "drone-battery", "emergency-stop", "sensor-faults");

        List<Integer> all() {
            return List.of(coverState, coverPosition, windSpeed, rainfall, temperature, dronePresent,
                    chargerState, droneBattery, estop, sensorFaults);
        }

        /** The first address of the block that holds every input. */
        public int first() {
            return all().stream().mapToInt(Integer::intValue).min().orElseThrow();
        }

        /** How many registers one read must fetch to cover every input. */
        public int count() {
            return all().stream().mapToInt(Integer::intValue).max().orElseThrow() - first() + 1;
        }
    }

    public DockRegisterMap {
        if (unit < 1 || unit > 247) {
            throw new IllegalArgumentException("Modbus unit id must be 1 to 247, not " + unit);
        }
        distinct("coils", Coils.KEYS, coils.all());
        distinct("input registers", Inputs.KEYS, inputs.all());
        if (inputs.count() > MAX_SPAN) {
            throw new IllegalArgumentException("dock input registers span " + inputs.count()
                    + " addresses; they must fit in " + MAX_SPAN + " so one read covers them");
        }
    }

    private static void distinct(String what, List<String> keys, List<Integer> addresses) {
        for (int i = 0; i < addresses.size(); i++) {
            for (int j = i + 1; j < addresses.size(); j++) {
                if (addresses.get(i).equals(addresses.get(j))) {
                    throw new IllegalArgumentException("dock " + what + " " + keys.get(i) + " and " + keys.get(j)
                            + " share address " + addresses.get(i));
                }
            }
        }
    }

    public static DockRegisterMap v1(int unit) {
        return new DockRegisterMap(V1, unit,
                new Coils(0, 1, 2, 3, 4, 5),
                new Inputs(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    }

    /**
     * Decodes one read of {@link Inputs#count()} registers starting at {@link Inputs#first()}.
     * Values out of the map's range are reported as a fault of what they describe, never trusted.
     */
    /** Beyond any dock anemometer's range (and above the strongest gust on record, 113 m/s, with margin). */
    public static final double MAX_WIND_M_S = 75;
    /** An outdoor PLC's temperature input range. */
    public static final double MIN_TEMPERATURE_C = -40;
    public static final double MAX_TEMPERATURE_C = 85;

    /**
     * Register values outside their quantity's physical range, with the reason: the PLC sent them,
     * but they are no measurement. {@link #decode} treats the weather ones as a failed sensor (the
     * interlocks then refuse, the metric is left out) and clamps the percentages; the driver counts
     * them as {@code invalid_values}.
     */
    public List<String> invalidValues(int[] block) {
        int base = inputs.first();
        List<String> out = new ArrayList<>();
        int position = block[inputs.coverPosition() - base];
        if (position > 100) {
            out.add("cover_position_pct (" + position + " above 100)");
        }
        double wind = block[inputs.windSpeed() - base] / 10.0;
        if (wind > MAX_WIND_M_S) {
            out.add("wind_speed_m_s (" + wind + " above " + MAX_WIND_M_S + ")");
        }
        int rain = block[inputs.rainfall() - base];
        if (rain > 3) {
            out.add("rainfall_level (" + rain + " above 3)");
        }
        double temperature = (short) block[inputs.temperature() - base] / 10.0;
        if (temperature < MIN_TEMPERATURE_C || temperature > MAX_TEMPERATURE_C) {
            out.add("environment_temperature_c (" + temperature + " outside -40..85)");
        }
        int battery = block[inputs.droneBattery() - base];
        if (battery > 100) {
            out.add("drone_battery_pct (" + battery + " above 100)");
        }
        return out;
    }

    public DockInputs decode(int[] block) {
        if (block.length < inputs.count()) {
            throw new IllegalArgumentException("need " + inputs.count() + " registers, got " + block.length);
        }
        int base = inputs.first();
        Set<DockInputs.Sensor> failed = EnumSet.noneOf(DockInputs.Sensor.class);
        int faultBits = block[inputs.sensorFaults() - base];
        for (DockInputs.Sensor s : DockInputs.Sensor.values()) {
            if ((faultBits & (1 << s.ordinal())) != 0) {
                failed.add(s);
            }
        }
        int rain = block[inputs.rainfall() - base];
        if (rain > 3) {
            failed.add(DockInputs.Sensor.RAIN);
        }
        double wind = block[inputs.windSpeed() - base] / 10.0;
        if (wind > MAX_WIND_M_S) {
            failed.add(DockInputs.Sensor.WIND);
        }
        double temperature = (short) block[inputs.temperature() - base] / 10.0; // int16, two's complement
        if (temperature < MIN_TEMPERATURE_C || temperature > MAX_TEMPERATURE_C) {
            failed.add(DockInputs.Sensor.TEMPERATURE);
        }
        int position = block[inputs.coverPosition() - base];
        return new DockInputs(
                DockInputs.CoverReport.of(block[inputs.coverState() - base]),
                Math.min(100, position),
                wind,
                Math.min(rain, 3),
                temperature,
                block[inputs.dronePresent() - base] != 0,
                DockInputs.ChargerState.of(block[inputs.chargerState() - base]),
                Math.min(100, block[inputs.droneBattery() - base]),
                DockInputs.EStop.of(block[inputs.estop() - base]),
                failed);
    }

    /** The register values a PLC holding {@code in} would answer with: the simulator's side of {@link #decode}. */
    public Map<Integer, Integer> encode(DockInputs in) {
        int faults = 0;
        for (DockInputs.Sensor s : in.failedSensors()) {
            faults |= 1 << s.ordinal();
        }
        Map<Integer, Integer> r = new HashMap<>();
        r.put(inputs.coverState(), in.cover().wire());
        r.put(inputs.coverPosition(), in.coverPositionPct());
        r.put(inputs.windSpeed(), (int) Math.round(Math.max(0, in.windSpeedMs()) * 10) & 0xFFFF);
        r.put(inputs.rainfall(), in.rainfallLevel());
        r.put(inputs.temperature(), (int) Math.round(in.temperatureC() * 10) & 0xFFFF);
        r.put(inputs.dronePresent(), in.dronePresent() ? 1 : 0);
        r.put(inputs.chargerState(), in.charger().ordinal());
        r.put(inputs.droneBattery(), in.droneBatteryPct());
        r.put(inputs.estop(), in.estop().wire());
        r.put(inputs.sensorFaults(), faults);
        return r;
    }

    /**
     * Reads {@code register-map}, {@code unit}, and the optional {@code coils:} and
     * {@code input-registers:} overrides of a device.
     */
    static DockRegisterMap read(ConfigReader r) {
        r.oneOf("register-map", V1, List.of(V1));
        int unit = r.integer("unit", 1, 1, 247);
        DockRegisterMap d = v1(unit);
        Coils c = d.coils();
        Inputs i = d.inputs();
        var coils = r.map("coils");
        if (coils.isPresent()) {
            ConfigReader m = coils.get();
            c = new Coils(addr(m, "cover-open", c.coverOpen()), addr(m, "cover-close", c.coverClose()),
                    addr(m, "cover-stop", c.coverStop()), addr(m, "charger", c.charger()),
                    addr(m, "launch-permit", c.launchPermit()), addr(m, "emergency-stop-reset", c.estopReset()));
            m.finish();
        }
        var regs = r.map("input-registers");
        if (regs.isPresent()) {
            ConfigReader m = regs.get();
            i = new Inputs(addr(m, "cover-state", i.coverState()), addr(m, "cover-position", i.coverPosition()),
                    addr(m, "wind-speed", i.windSpeed()), addr(m, "rainfall", i.rainfall()),
                    addr(m, "temperature", i.temperature()), addr(m, "drone-present", i.dronePresent()),
                    addr(m, "charger-state", i.chargerState()), addr(m, "drone-battery", i.droneBattery()),
                    addr(m, "emergency-stop", i.estop()), addr(m, "sensor-faults", i.sensorFaults()));
            m.finish();
        }
        try {
            d = new DockRegisterMap(V1, unit, c, d.inputs());
        } catch (IllegalArgumentException e) {
            r.error("coils", e.getMessage());
        }
        try {
            return new DockRegisterMap(V1, unit, d.coils(), i);
        } catch (IllegalArgumentException e) {
            r.error("input-registers", e.getMessage());
            return d;
        }
    }

    private static int addr(ConfigReader m, String key, int fallback) {
        return m.integer(key, fallback, 0, 0xFFFF);
    }
}
