package org.streetgate.drivers.meter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.modbus.ModbusMaster;
import org.streetgate.drivers.modbus.RegisterType;

/**
 * A {@code modbus-meter} device's own keys.
 *
 * @param unit       the Modbus unit id on the bus
 * @param map        a built-in register map ({@code sdm120}, {@code sdm630}) or null
 * @param registers  what to read: the map's registers, then the profile's {@code registers:} list
 * @param maxGap     unused registers one read may span to save transactions
 * @param timing     response timeout and retries
 * @param stuckAfter polls with every value unchanged before the device is reported stuck; 0 = never
 * @param simValues  the simulator's "true" value per metric (defaults are plausible for the metric)
 */
public record ModbusMeterConfig(int unit, String map, List<MeterRegister> registers, int maxGap,
                                ModbusMaster.Timing timing, int stuckAfter, Map<String, Double> simValues) {
    public ModbusMeterConfig {
        registers = List.copyOf(registers);
        simValues = Map.copyOf(simValues);
    }

    static ModbusMeterConfig read(ConfigReader r) {
        int unit = r.integer("unit", 1, 247);
        String map = r.has("map") ? r.oneOf("map", "sdm120", List.of("sdm120", "sdm630")) : null;
        List<MeterRegister> regs = new ArrayList<>(map == null ? List.of() : MeterMaps.BUILT_IN.get(map));
        for (ConfigReader item : r.mapList("registers")) {
            MeterRegister reg = register(item);
            if (reg != null) {
                regs.add(reg);
            }
        }
        if (regs.isEmpty()) {
            r.error("registers", "a modbus-meter needs 'map: sdm120|sdm630' or a 'registers:' list");
        }
        Set<String> seen = new HashSet<>();
        for (MeterRegister reg : regs) {
            if (!seen.add(reg.metric())) {
                r.error("registers", "metric '" + reg.metric() + "' is read twice");
            }
        }
        int maxGap = r.integer("max-gap", MeterMaps.maxGap(map), 0, 100);
        Duration timeout = r.duration("response-timeout", ModbusMaster.Timing.DEFAULT.responseTimeout());
        if (timeout.isZero()) {
            r.error("response-timeout", "'response-timeout' must be more than 0");
            timeout = ModbusMaster.Timing.DEFAULT.responseTimeout();
        }
        int retries = r.integer("retries", ModbusMaster.Timing.DEFAULT.retries(), 0, 10);
        int stuckAfter = r.integer("stuck-after", 0, 0, 1_000_000);
        Map<String, Double> simValues = new LinkedHashMap<>();
        r.stringMap("sim-values").forEach((metric, text) -> {
            if (!seen.contains(metric)) {
                r.error("sim-values", "sim-values." + metric + ": this device reads no metric of that name");
                return;
            }
            try {
                simValues.put(metric, Double.parseDouble(text));
            } catch (NumberFormatException e) {
                r.error("sim-values", "sim-values." + metric + " must be a number, not '" + text + "'");
            }
        });
        return new ModbusMeterConfig(unit, map, regs, maxGap,
                new ModbusMaster.Timing(timeout, retries, ModbusMaster.Timing.DEFAULT.busWait()), stuckAfter, simValues);
    }

    private static MeterRegister register(ConfigReader r) {
        int address = r.integer("address", 0, 0xFFFF);
        int function = r.integer("function", 3, 3, 4);
        String type = r.oneOf("type", "uint16", List.of("int16", "uint16", "int32", "uint32", "float32"));
        String order = r.oneOf("word-order", "high-first", List.of("high-first", "low-first"));
        double scale = r.number("scale", 1);
        double offset = r.number("offset", 0);
        String metric = r.string("metric", "[a-z][a-z0-9_]*", "a snake_case metric name ending in its unit");
        r.finish();
        if (metric == null) {
            return null;
        }
        RegisterType t = RegisterType.valueOf(type.toUpperCase(Locale.ROOT));
        if (address + t.words() - 1 > 0xFFFF) {
            r.error("address", "a " + type + " at " + address + " runs past register 65535");
            return null;
        }
        return new MeterRegister(address, function, t,
                RegisterType.WordOrder.valueOf(order.toUpperCase(Locale.ROOT).replace('-', '_')), scale, offset, metric);
    }
}
