package org.streetgate.drivers.bme280;

import java.util.List;
import org.streetgate.drivers.config.ConfigReader;

/**
 * A {@code bme280} device: {@code i2c: {bus, address}} (0x76 with SDO to ground, 0x77 to VDDIO),
 * {@code oversampling: x1..x16} for all three channels, {@code stuck-after} polls with identical raw
 * values before the sensor is reported stuck (0 = never), and for simulation
 * {@code sim-environment: {temperature-c, humidity-pct, pressure-hpa}}.
 *
 * @param osrs the oversampling register code: 1 = x1 ... 5 = x16
 */
public record Bme280Config(int bus, int address, int osrs, int stuckAfter, Bme280Simulator.Environment simEnvironment) {
    static final List<String> OVERSAMPLING = List.of("x1", "x2", "x4", "x8", "x16");

    static Bme280Config read(ConfigReader r) {
        ConfigReader i2c = r.requiredMap("i2c");
        int bus = i2c.integer("bus", 1, 0, 31);
        int address = i2c.integer("address", 0x76, 0, 0x7F);
        if (address != 0x76 && address != 0x77) {
            i2c.error("address", String.format("a BME280 answers at 0x76 or 0x77, not 0x%02X", address));
        }
        i2c.finish();
        int osrs = OVERSAMPLING.indexOf(r.oneOf("oversampling", "x1", OVERSAMPLING)) + 1;
        int stuckAfter = r.integer("stuck-after", 0, 0, 1_000_000);
        Bme280Simulator.Environment env = new Bme280Simulator.Environment(21.5, 1013.25, 45.0);
        var sim = r.map("sim-environment");
        if (sim.isPresent()) {
            ConfigReader s = sim.get();
            env = new Bme280Simulator.Environment(s.number("temperature-c", env.temperatureC()),
                    s.number("pressure-hpa", env.pressureHpa()), s.number("humidity-pct", env.humidityPct()));
            s.finish();
        }
        return new Bme280Config(bus, address, osrs, stuckAfter, env);
    }
}
