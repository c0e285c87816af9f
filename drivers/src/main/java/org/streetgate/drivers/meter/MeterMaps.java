package org.streetgate.drivers.meter;

import java.util.List;
import java.util.Map;

/**
 * Built-in register maps. Eastron SDM120 and SDM630: every value is an IEEE-754 float32 in two
 * input registers (FC04), high word first, at the addresses of Eastron's Modbus protocol sheets.
 * Their undefined registers read as zero, so reads may span gaps ({@link #maxGap}).
 */
public final class MeterMaps {
    private MeterMaps() {}

    public static final List<MeterRegister> SDM120 = List.of(
            MeterRegister.eastron(0x0000, "voltage_v"),
            MeterRegister.eastron(0x0006, "current_a"),
            MeterRegister.eastron(0x000C, "power_w"),
            MeterRegister.eastron(0x0012, "apparent_power_va"),
            MeterRegister.eastron(0x0018, "reactive_power_var"),
            MeterRegister.eastron(0x001E, "power_factor"),
            MeterRegister.eastron(0x0046, "frequency_hz"),
            MeterRegister.eastron(0x0048, "import_energy_kwh"),
            MeterRegister.eastron(0x004A, "export_energy_kwh"),
            MeterRegister.eastron(0x0156, "energy_kwh"));

    public static final List<MeterRegister> SDM630 = List.of(
            MeterRegister.eastron(0x0000, "l1_voltage_v"),
            MeterRegister.eastron(0x0002, "l2_voltage_v"),
            MeterRegister.eastron(0x0004, "l3_voltage_v"),
            MeterRegister.eastron(0x0006, "l1_current_a"),
            MeterRegister.eastron(0x0008, "l2_current_a"),
            MeterRegister.eastron(0x000A, "l3_current_a"),
            MeterRegister.eastron(0x000C, "l1_power_w"),
            MeterRegister.eastron(0x000E, "l2_power_w"),
            MeterRegister.eastron(0x0010, "l3_power_w"),
            MeterRegister.eastron(0x001E, "l1_power_factor"),
            MeterRegister.eastron(0x0020, "l2_power_factor"),
            MeterRegister.eastron(0x0022, "l3_power_factor"),
            MeterRegister.eastron(0x0034, "power_w"),
            MeterRegister.eastron(0x003E, "power_factor"),
            MeterRegister.eastron(0x0046, "frequency_hz"),
            MeterRegister.eastron(0x0048, "import_energy_kwh"),
            MeterRegister.eastron(0x004A, "export_energy_kwh"),
            MeterRegister.eastron(0x0156, "energy_kwh"));

    public static final Map<String, List<MeterRegister>> BUILT_IN = Map.of("sdm120", SDM120, "sdm630", SDM630);

    /** How many unused registers a single read may span for a map; 0 for user register lists. */
    public static int maxGap(String map) {
        return map == null ? 0 : 40;
    }
}
