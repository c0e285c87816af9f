package org.streetgate.drivers.meter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streetgate.drivers.testing.Configs.map;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.modbus.RegisterType;
import org.streetgate.drivers.testing.Configs;

class ModbusMeterConfigTest {
    private final ModbusMeterFactory factory = new ModbusMeterFactory();

    @Test
    void built_in_sdm120_map_reads_float32_input_registers_high_word_first() {
        Configs c = new Configs();
        ModbusMeterConfig cfg = factory.parseConfig(c.reader(map("unit", 1, "map", "sdm120")));
        assertEquals(List.of(), c.messages());
        assertEquals(10, cfg.registers().size());
        MeterRegister v = cfg.registers().get(0);
        assertEquals(new MeterRegister(0, 4, RegisterType.FLOAT32, RegisterType.WordOrder.HIGH_FIRST, 1, 0, "voltage_v"), v);
        assertEquals(0x0156, cfg.registers().get(9).address());
        // Two reads per poll: 0x0000..0x004B across the map's small gaps, then total energy at 0x0156.
        ReadPlan plan = ReadPlan.of(cfg.registers(), cfg.maxGap());
        assertEquals(List.of(0, 0x0156), plan.blocks().stream().map(ReadPlan.Block::start).toList());
        assertEquals(0x4C, plan.blocks().get(0).count());
    }

    @Test
    void sdm630_map_has_per_phase_and_total_metrics() {
        Configs c = new Configs();
        ModbusMeterConfig cfg = factory.parseConfig(c.reader(map("unit", 2, "map", "sdm630")));
        List<String> metrics = cfg.registers().stream().map(MeterRegister::metric).toList();
        assertTrue(metrics.containsAll(List.of("l1_voltage_v", "l3_current_a", "power_w", "energy_kwh", "frequency_hz")),
                metrics.toString());
        assertEquals(List.of(), c.messages());
    }

    @Test
    void generic_register_list_with_water_level_from_mount_height_minus_distance() {
        Configs c = new Configs();
        ModbusMeterConfig cfg = factory.parseConfig(c.reader(map(
                "unit", 3,
                "registers", List.of(map("address", "0x0101", "function", 3, "type", "uint16",
                        "scale", -0.001, "offset", 4.2, "metric", "water_level_m")),
                "response-timeout", "250ms", "retries", 1, "stuck-after", 5)));
        assertEquals(List.of(), c.messages());
        MeterRegister level = cfg.registers().get(0);
        assertEquals(0x0101, level.address());
        // 2950 mm measured below a sensor mounted 4.2 m above the gauge zero: 1.25 m of water.
        assertEquals(1.25, level.value(new int[] {2950}, 0x0101));
        assertEquals(Duration.ofMillis(250), cfg.timing().responseTimeout());
        assertEquals(1, cfg.timing().retries());
        assertEquals(5, cfg.stuckAfter());
        assertEquals(0, cfg.maxGap(), "user register lists never read across gaps by default");
    }

    @Test
    void word_order_and_signed_types_are_honoured() {
        Configs c = new Configs();
        ModbusMeterConfig cfg = factory.parseConfig(c.reader(map("unit", 1, "registers", List.of(
                map("address", 10, "function", 4, "type", "int32", "word-order", "low-first", "metric", "flow_l_min"),
                map("address", 12, "type", "int16", "scale", 0.1, "metric", "temperature_c")))));
        assertEquals(List.of(), c.messages());
        // int32 -2 with the low word first: FFFE FFFF
        assertEquals(-2.0, cfg.registers().get(0).value(new int[] {0xFFFE, 0xFFFF}, 10));
        assertEquals(-12.5, cfg.registers().get(1).value(new int[] {0xFF83}, 12));
    }

    @Test
    void bad_register_entries_are_reported_with_their_line() {
        Configs c = new Configs();
        factory.parseConfig(c.reader(map("unit", 300, "registers", List.of(
                map("address", 1, "type", "float64", "metric", "a_v"),
                map("address", 2, "metric", "Bad Name"),
                map("address", 3, "metric", "a_v", "colour", "red")))));
        List<String> m = c.messages();
        assertTrue(m.stream().anyMatch(s -> s.contains("'unit' must be a whole number from 1 to 247")), m.toString());
        assertTrue(m.stream().anyMatch(s -> s.contains("'type' must be one of int16, uint16, int32, uint32, float32")), m.toString());
        assertTrue(m.stream().anyMatch(s -> s.contains("'metric' must be a snake_case metric name")), m.toString());
        assertTrue(m.stream().anyMatch(s -> s.contains("unknown key 'colour' in ") && s.contains("registers[2]")), m.toString());
        assertTrue(m.stream().anyMatch(s -> s.contains("metric 'a_v' is read twice")), m.toString());
        assertTrue(m.stream().allMatch(s -> s.startsWith("test.yaml:")), m.toString());
    }

    @Test
    void a_meter_without_map_or_registers_is_an_error() {
        Configs c = new Configs();
        factory.parseConfig(c.reader(map("unit", 1)));
        assertEquals(1, c.messages().size(), c.messages().toString());
        assertTrue(c.messages().get(0).contains("needs 'map: sdm120|sdm630' or a 'registers:' list"));
    }

    @Test
    void unknown_map_name_is_an_error() {
        Configs c = new Configs();
        factory.parseConfig(c.reader(map("unit", 1, "map", "sdm72")));
        assertTrue(c.messages().stream().anyMatch(s -> s.contains("'map' must be one of sdm120, sdm630")),
                c.messages().toString());
    }

    @Test
    void sim_values_must_name_metrics_the_device_reads() {
        Configs c = new Configs();
        ModbusMeterConfig cfg = factory.parseConfig(c.reader(map("unit", 1, "map", "sdm120",
                "sim-values", map("voltage_v", 240, "water_level_m", 1, "current_a", "lots"))));
        assertEquals(240.0, cfg.simValues().get("voltage_v"));
        assertTrue(c.messages().stream().anyMatch(s -> s.contains("sim-values.water_level_m: this device reads no metric")),
                c.messages().toString());
        assertTrue(c.messages().stream().anyMatch(s -> s.contains("sim-values.current_a must be a number")),
                c.messages().toString());
    }
}
