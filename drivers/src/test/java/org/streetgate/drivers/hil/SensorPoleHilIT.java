package org.streetgate.drivers.hil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streetgate.drivers.testing.Configs.map;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
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
import org.streetgate.drivers.testing.Rig;
import org.streetgate.drivers.transport.Hardware;

/**
 * The sensor-pole drivers against real devices on a rig (docs/drivers.md, "Hardware in the loop").
 * Each test needs only its own rig keys and is skipped, saying which key, when they are absent.
 */
@Tag("hil")
class SensorPoleHilIT {
    private final CollectingSink sink = new CollectingSink();

    @Test
    void pms5003_on_the_rig_gives_plausible_particulate_readings() throws Exception {
        String port = Rig.require("pms5003.port");
        try (Hardware hw = new Hardware()) {
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
    }

    @Test
    void modbus_meter_on_the_rig_answers_with_its_map() throws Exception {
        String port = Rig.require("modbus.port");
        int unit = Rig.integer("modbus.unit");
        String mapName = Rig.get("modbus.map", "sdm120");
        int baud = Integer.parseInt(Rig.get("modbus.baud", "9600"));
        Configs c = new Configs();
        var cfg = new ModbusMeterFactory().parseConfig(c.reader(map("unit", unit, "map", mapName)));
        assertEquals(List.of(), c.messages());
        try (Hardware hw = new Hardware()) {
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
    }

    @Test
    void bme280_on_the_rig_reads_plausible_weather() throws Exception {
        int bus = Rig.integer("bme280.bus");
        String address = Rig.get("bme280.address", "0x76");
        Configs c = new Configs();
        var cfg = new Bme280Factory().parseConfig(c.reader(map("i2c", map("bus", bus, "address", address))));
        assertEquals(List.of(), c.messages());
        try (Hardware hw = new Hardware()) {
            Driver d = new Bme280Factory().create(Contexts.bus("env", "bme280", Duration.ofSeconds(1), false, cfg, sink, hw));
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
    }

    @Test
    void gpio_output_wired_to_an_input_is_seen_as_edges() throws Exception {
        int out = Rig.integer("gpio.loopback.output");
        int in = Rig.integer("gpio.loopback.input");
        try (Hardware hw = new Hardware()) {
            var inCfg = new GpioInputFactory().parseConfig(new Configs().reader(map(
                    "gpio", map("pin", in, "pull", "down", "debounce", "5ms"),
                    "events", map("high", "loop.high", "low", "loop.low"))));
            var outCfg = new GpioOutputFactory().parseConfig(new Configs().reader(map("gpio", map("pin", out))));
            Driver input = new GpioInputFactory().create(Contexts.bus("in", "gpio-input", null, false, inCfg, sink, hw));
            Driver output = new GpioOutputFactory().create(Contexts.bus("out", "gpio-output", null, false, outCfg, sink, hw));
            output.start();
            input.start();
            try {
                assertEquals("loop.low", next(Duration.ofSeconds(5), "loop.").type(), "safe state off reads low");
                output.execute(new Command("1", "out", "pulse", Map.of("ms", 200)));
                assertEquals("loop.high", next(Duration.ofSeconds(5), "loop.").type());
                assertEquals("loop.low", next(Duration.ofSeconds(5), "loop.").type());
            } finally {
                input.stop();
                output.stop();
            }
        }
    }

    private Message.Event next(Duration timeout, String prefix) throws InterruptedException {
        while (true) {
            Message.Event e = sink.next(Message.Event.class, timeout);
            if (e.type().startsWith(prefix)) {
                return e;
            }
        }
    }
}
