package org.streetgate.drivers.hil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streetgate.drivers.testing.Configs.map;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.streetgate.drivers.bme280.Bme280Factory;
import org.streetgate.drivers.gpio.GpioInputFactory;
import org.streetgate.drivers.gpio.GpioOutputFactory;
import org.streetgate.drivers.meter.ModbusMeterFactory;
import org.streetgate.drivers.pms5003.Pms5003Config;
import org.streetgate.drivers.pms5003.Pms5003Driver;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Configs;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.transport.Hardware;

/**
 * What a rig checks per device, shared by the {@code hil} tests (real devices) and their dry run
 * against simulators on ptys, so the rig code cannot rot unnoticed between rig runs.
 */
final class SensorPoleChecks {
    private SensorPoleChecks() {}

    static void pms5003(Hardware hw, String port) throws Exception {
        CollectingSink sink = new CollectingSink();
        var cfg = new Pms5003Config(Pms5003Config.Mode.PASSIVE, Duration.ofSeconds(3), false, Duration.ofSeconds(30), 0);
        Driver d = new Pms5003Driver(Contexts.serial("air", "pms5003", Duration.ofSeconds(2), port, 9600, false, cfg, sink, hw));
        d.start();
        try {
            // Up to a minute: a sensor just powered sends warm-up frames for ~30 s.
            var r = sink.next(Message.Reading.class, Duration.ofSeconds(60));
            double pm25 = r.metrics().get("pm2_5_ug_m3");
            assertTrue(pm25 >= 0 && pm25 < 1000, "PM2.5 " + pm25);
            assertTrue(r.metrics().get("pm10_ug_m3") >= pm25);
        } finally {
            d.stop();
        }
    }

    static void modbusMeter(Hardware hw, String port, int baud, int unit, String mapName) throws Exception {
        CollectingSink sink = new CollectingSink();
        Configs c = new Configs();
        var cfg = new ModbusMeterFactory().parseConfig(c.reader(map("unit", unit, "map", mapName)));
        assertEquals(List.of(), c.messages());
        Driver d = new ModbusMeterFactory().create(
                Contexts.serial("meter", "modbus-meter", Duration.ofSeconds(1), port, baud, false, cfg, sink, hw));
        d.start();
        try {
            var r = sink.next(Message.Reading.class, Duration.ofSeconds(15));
            double v = r.metrics().getOrDefault("voltage_v", r.metrics().getOrDefault("l1_voltage_v", -1.0));
            assertTrue(v > 90 && v < 270, "mains voltage " + v + " in " + r.metrics());
            assertEquals(0, d.status().counter("crc_errors"), "a clean bus: " + d.status().snapshot());
        } finally {
            d.stop();
        }
    }

    static void bme280(Hardware hw, int bus, String address, boolean simulated) throws Exception {
        CollectingSink sink = new CollectingSink();
        Configs c = new Configs();
        var cfg = new Bme280Factory().parseConfig(c.reader(map("i2c", map("bus", bus, "address", address))));
        assertEquals(List.of(), c.messages());
        Driver d = new Bme280Factory().create(Contexts.bus("env", "bme280", Duration.ofSeconds(1), simulated, cfg, sink, hw));
        d.start();
        try {
            var r = sink.next(Message.Reading.class, Duration.ofSeconds(15));
            assertTrue(r.metrics().get("temperature_c") > -40 && r.metrics().get("temperature_c") < 85, r.toString());
            assertTrue(r.metrics().get("pressure_hpa") > 300 && r.metrics().get("pressure_hpa") < 1100, r.toString());
            assertTrue(r.metrics().get("humidity_pct") >= 0 && r.metrics().get("humidity_pct") <= 100, r.toString());
        } finally {
            d.stop();
        }
    }

    /** An output pin wired to an input pin: a pulse on one is two edges on the other. */
    static void gpioLoopback(Hardware hw, int out, int in) throws Exception {
        CollectingSink sink = new CollectingSink();
        var inCfg = new GpioInputFactory().parseConfig(new Configs().reader(map(
                "gpio", map("pin", in, "pull", "down", "debounce", "5ms"),
                "events", map("high", "loop.high", "low", "loop.low"))));
        var outCfg = new GpioOutputFactory().parseConfig(new Configs().reader(map("gpio", map("pin", out))));
        Driver input = new GpioInputFactory().create(Contexts.bus("in", "gpio-input", null, false, inCfg, sink, hw));
        Driver output = new GpioOutputFactory().create(Contexts.bus("out", "gpio-output", null, false, outCfg, sink, hw));
        output.start();
        input.start();
        try {
            assertEquals("loop.low", next(sink, "loop.").type(), "safe state off reads low");
            output.execute(new Command("1", "out", "pulse", Map.of("ms", 200)));
            assertEquals("loop.high", next(sink, "loop.").type());
            assertEquals("loop.low", next(sink, "loop.").type());
        } finally {
            input.stop();
            output.stop();
        }
    }

    private static Message.Event next(CollectingSink sink, String prefix) throws InterruptedException {
        while (true) {
            Message.Event e = sink.next(Message.Event.class, Duration.ofSeconds(5));
            if (e.type().startsWith(prefix)) {
                return e;
            }
        }
    }
}
