package org.streetgate.drivers.dock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.config.ConfigNode;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.config.Problems;
import org.streetgate.drivers.dock.DockInputs.ChargerState;
import org.streetgate.drivers.dock.DockInputs.CoverReport;
import org.streetgate.drivers.dock.DockInputs.EStop;
import org.streetgate.drivers.dock.DockInputs.Sensor;

/** The streetgate-dock-v1 register map and the profile keys that override it. */
class DockRegisterMapTest {
    private static final DockRegisterMap V1 = DockRegisterMap.v1(1);

    @Test
    void decodes_a_v1_input_block() {
        int[] block = {
            2,          // 0 cover-state: 2 half-open
            37,         // 1 cover-position: 37 %
            126,        // 2 wind-speed x10: 12.6 m/s
            1,          // 3 rainfall level 1
            0xFF9C,     // 4 temperature x10, int16: -100 -> -10.0 °C
            1,          // 5 drone-present
            1,          // 6 charger-state: charging
            64,         // 7 drone-battery: 64 %
            2,          // 8 e-stop: latched
            0b100,      // 9 sensor-faults: bit 2 temperature
        };
        assertEquals(new DockInputs(CoverReport.HALF_OPEN, 37, 12.6, 1, -10.0, true, ChargerState.CHARGING, 64,
                EStop.LATCHED, Set.of(Sensor.TEMPERATURE)), V1.decode(block));
    }

    @Test
    void out_of_range_values_are_treated_as_the_unsafe_case() {
        int[] block = {9, 250, 0, 7, 0, 0, 0, 0, 5, 0};
        DockInputs in = V1.decode(block);
        assertEquals(CoverReport.FAULT, in.cover(), "an undefined cover state is a fault");
        assertEquals(100, in.coverPositionPct());
        assertTrue(in.failed(Sensor.RAIN), "a rainfall level above 3 means the rain sensor is broken");
        assertEquals(EStop.PRESSED, in.estop(), "an undefined e-stop value counts as pressed");
    }

    @Test
    void values_outside_their_physical_range_are_named_and_the_weather_ones_count_as_failed_sensors() {
        int[] block = {
            0,          // 0 cover-state: closed
            250,        // 1 cover-position: 250 %
            900,        // 2 wind-speed x10: 90 m/s, beyond any anemometer
            0,          // 3 rainfall level 0
            0x8000,     // 4 temperature x10, int16: -3276.8 °C, a PLC's "no value"
            1,          // 5 drone-present
            0,          // 6 charger-state
            180,        // 7 drone-battery: 180 %
            0,          // 8 e-stop released
            0,          // 9 no sensor faults reported
        };
        assertEquals(List.of("cover_position_pct (250 above 100)", "wind_speed_m_s (90.0 above 75.0)",
                "environment_temperature_c (-3276.8 outside -40..85)", "drone_battery_pct (180 above 100)"),
                V1.invalidValues(block));
        DockInputs in = V1.decode(block);
        assertEquals(Set.of(Sensor.WIND, Sensor.TEMPERATURE), in.failedSensors(), "interlocks refuse on them");
        assertEquals(100, in.coverPositionPct());
        assertEquals(100, in.droneBatteryPct());
        assertEquals(List.of(), V1.invalidValues(new int[] {0, 37, 126, 1, 0xFF9C, 1, 1, 64, 0, 0}));
    }

    @Test
    void encode_then_decode_round_trips() {
        DockInputs in = new DockInputs(CoverReport.OPEN, 100, 7.3, 2, -3.5, false, ChargerState.OFF, 0,
                EStop.RELEASED, Set.of(Sensor.WIND, Sensor.RAIN));
        Map<Integer, Integer> regs = V1.encode(in);
        int[] block = new int[V1.inputs().count()];
        regs.forEach((a, v) -> block[a - V1.inputs().first()] = v);
        assertEquals(in, V1.decode(block));
    }

    @Test
    void the_inputs_must_fit_one_read_and_addresses_must_be_distinct() {
        var c = V1.coils();
        var i = V1.inputs();
        assertThrows(IllegalArgumentException.class, () -> new DockRegisterMap("x", 1, c,
                new DockRegisterMap.Inputs(0, 1, 2, 3, 4, 5, 6, 7, 8, 125)));
        assertThrows(IllegalArgumentException.class, () -> new DockRegisterMap("x", 1,
                new DockRegisterMap.Coils(0, 0, 2, 3, 4, 5), i));
        assertThrows(IllegalArgumentException.class, () -> DockRegisterMap.v1(0));
    }

    // --- profile keys, read through the same ConfigReader the runtime hands the factory ---

    private static ConfigNode node(Object v, int line) {
        if (v instanceof Map<?, ?> m) {
            Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
            int l = line + 1;
            for (var e : m.entrySet()) {
                entries.put((String) e.getKey(), new ConfigNode.Entry(new Position("dock.yaml", l), node(e.getValue(), l)));
                l++;
            }
            return new ConfigNode.Mapping(entries, new Position("dock.yaml", line));
        }
        return new ConfigNode.Scalar(String.valueOf(v), new Position("dock.yaml", line));
    }

    private static DockConfig read(Map<String, Object> device, Problems problems) {
        ConfigReader r = new ConfigReader((ConfigNode.Mapping) node(device, 1), problems, "devices[0]");
        DockConfig c = new DockFactory().parseConfig(r);
        r.finish();
        return c;
    }

    @Test
    void defaults_when_the_profile_names_only_the_driver() {
        Problems p = new Problems();
        DockConfig c = read(Map.of(), p);
        assertTrue(p.isEmpty(), p.list().toString());
        assertEquals(DockConfig.defaults(DockRegisterMap.v1(1)), c);
        assertEquals(Duration.ofSeconds(40), c.motionTimeout());
    }

    @Test
    void every_key_is_read_from_the_profile() {
        Map<String, Object> dev = new LinkedHashMap<>();
        dev.put("register-map", "streetgate-dock-v1");
        dev.put("unit", 7);
        dev.put("coils", Map.of("cover-open", 16, "charger", 19));
        dev.put("input-registers", Map.of("cover-state", 100, "sensor-faults", 120));
        dev.put("limits", Map.of("wind-max", 10.5, "rainfall-max", 1, "temperature-min", -10, "temperature-max", 40));
        dev.put("auto-close", Map.of("rain", true, "wind", false, "sensor-fault", false));
        dev.put("launch", Map.of("battery-min", 70, "permit-valid", "2m"));
        dev.put("motion-timeout", "25s");
        dev.put("telemetry-every", "5s");
        dev.put("response-timeout", "200ms");
        dev.put("retries", 1);
        dev.put("simulator", Map.of("scenario", "rain-shower", "cover-travel", "3s", "time-scale", 10));
        Problems p = new Problems();
        DockConfig c = read(dev, p);
        assertTrue(p.isEmpty(), p.list().toString());
        assertEquals(7, c.map().unit());
        assertEquals(16, c.map().coils().coverOpen());
        assertEquals(19, c.map().coils().charger());
        assertEquals(1, c.map().coils().coverClose(), "keys not given keep the v1 address");
        assertEquals(100, c.map().inputs().coverState());
        assertEquals(1, c.map().inputs().first());
        assertEquals(120, c.map().inputs().count());
        assertEquals(new DockConfig.Limits(10.5, 1, -10, 40), c.limits());
        assertEquals(new DockConfig.AutoClose(true, false, false), c.autoClose());
        assertEquals(70, c.launchBatteryMinPct());
        assertEquals(Duration.ofMinutes(2), c.launchPermitValid());
        assertEquals(Duration.ofSeconds(25), c.motionTimeout());
        assertEquals(Duration.ofSeconds(5), c.telemetryEvery());
        assertEquals(Duration.ofMillis(200), c.responseTimeout());
        assertEquals(1, c.retries());
        assertEquals(new DockConfig.Simulation("rain-shower", Duration.ofSeconds(3), 10.0), c.simulation());
    }

    @Test
    void bad_values_are_reported_with_file_and_line() {
        Map<String, Object> dev = new LinkedHashMap<>();
        dev.put("register-map", "dji-dock-2");
        dev.put("coils", Map.of("cover-open", 1));
        dev.put("limits", Map.of("temperature-min", 50, "temperature-max", 40, "gust-max", 3));
        dev.put("simulator", Map.of("scenario", "hurricane"));
        Problems p = new Problems();
        read(dev, p);
        List<String> messages = p.list().stream().map(Object::toString).toList();
        assertEquals(5, messages.size(), messages.toString());
        String all = String.join("\n", messages);
        assertTrue(all.contains("'register-map' must be one of streetgate-dock-v1, not 'dji-dock-2'"), all);
        assertTrue(all.contains("dock coils cover-open and cover-close share address 1"), all);
        assertTrue(all.contains("'temperature-min' must be below 'temperature-max'"), all);
        assertTrue(all.contains("unknown key 'gust-max' in devices[0].limits"), all);
        assertTrue(all.contains("'scenario' must be one of calm, gusts, rain-shower, sensor-failure, motor-stall"), all);
        assertTrue(all.contains("dock.yaml:"), all);
    }
}
