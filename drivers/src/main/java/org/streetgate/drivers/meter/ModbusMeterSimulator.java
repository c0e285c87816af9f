package org.streetgate.drivers.meter;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.streetgate.drivers.modbus.ModbusSlaveSimulator;

/**
 * A meter in software: sets up a unit of a {@link ModbusSlaveSimulator} so that every register of
 * the meter's map holds a plausible, slowly moving value (energy counters only go up).
 */
public final class ModbusMeterSimulator {
    private final Map<MeterRegister, Double> truth = new LinkedHashMap<>();
    private final Random random;

    private ModbusMeterSimulator(long seed) {
        this.random = new Random(seed);
    }

    /** Installs the meter as {@code config.unit()} on {@code sim} and returns the unit. */
    public static ModbusSlaveSimulator.Unit install(ModbusSlaveSimulator sim, ModbusMeterConfig config, long seed) {
        ModbusMeterSimulator meter = new ModbusMeterSimulator(seed);
        ModbusSlaveSimulator.Unit unit = sim.unit(config.unit());
        for (MeterRegister r : config.registers()) {
            double v = config.simValues().getOrDefault(r.metric(), plausible(r.metric()));
            meter.truth.put(r, v);
            write(unit, r, v);
        }
        unit.animate(meter::step);
        return unit;
    }

    /** A believable value for a metric by its name and unit suffix. */
    static double plausible(String metric) {
        if (metric.endsWith("voltage_v")) return 230.0;
        if (metric.endsWith("current_a")) return 4.2;
        if (metric.endsWith("power_factor")) return 0.97;
        if (metric.endsWith("energy_kwh")) return 1234.5;
        if (metric.endsWith("frequency_hz")) return 50.0;
        if (metric.endsWith("_var")) return 120.0;
        if (metric.endsWith("_va")) return 990.0;
        if (metric.endsWith("_w")) return 950.0;
        if (metric.endsWith("water_level_m")) return 1.25;
        return 10.0;
    }

    private synchronized void step(ModbusSlaveSimulator.Unit unit) {
        for (var e : truth.entrySet()) {
            MeterRegister r = e.getKey();
            double v = e.getValue();
            if (r.metric().endsWith("energy_kwh")) {
                v += 0.001 + random.nextDouble() * 0.002;
            } else if (r.metric().endsWith("power_factor")) {
                v = Math.max(0.5, Math.min(1.0, v + random.nextGaussian() * 0.005));
            } else {
                v = v + random.nextGaussian() * Math.abs(v) * 0.002;
            }
            e.setValue(v);
            write(unit, r, v);
        }
    }

    private static void write(ModbusSlaveSimulator.Unit unit, MeterRegister r, double v) {
        if (r.function() == 4) {
            unit.input(r.address(), r.encode(v));
        } else {
            unit.holding(r.address(), r.encode(v));
        }
    }
}
