package org.streetgate.drivers.meter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streetgate.drivers.testing.Configs.map;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.modbus.ModbusSlaveSimulator;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Configs;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/** modbus-meter with {@code sim: true}: the driver against its simulator on an in-memory bus. */
class ModbusMeterDriverTest {
    private static ModbusMeterConfig config(Object... keys) {
        return new ModbusMeterFactory().parseConfig(new Configs().reader(map(keys)));
    }

    @Test
    void simulated_sdm120_publishes_plausible_moving_readings() throws Exception {
        try (Hardware hw = new Hardware()) {
            CollectingSink sink = new CollectingSink();
            var ctx = Contexts.serial("meter-1", "modbus-meter", Duration.ofMillis(50), "/dev/ttyUSB0", 9600, true,
                    config("unit", 1, "map", "sdm120"), sink, hw);
            var driver = new ModbusMeterFactory().create(ctx);
            driver.start();
            try {
                var first = sink.next(Message.Reading.class, Duration.ofSeconds(5));
                var second = sink.next(Message.Reading.class, Duration.ofSeconds(5));
                double v = first.metrics().get("voltage_v");
                assertTrue(v > 220 && v < 240, "voltage " + v);
                assertEquals(50.0, first.metrics().get("frequency_hz"), 1.0);
                assertEquals(10, first.metrics().size());
                assertTrue(second.metrics().get("energy_kwh") > first.metrics().get("energy_kwh"), "energy counts up");
                assertEquals(DeviceStatus.State.OK, driver.status().state());
            } finally {
                driver.stop();
            }
        }
    }

    @Test
    void two_simulated_meters_on_one_port_share_one_simulated_bus() throws Exception {
        try (Hardware hw = new Hardware()) {
            CollectingSink sink = new CollectingSink();
            var a = new ModbusMeterFactory().create(Contexts.serial("meter-a", "modbus-meter", Duration.ofMillis(50),
                    "/dev/ttyUSB0", 9600, true, config("unit", 1, "map", "sdm120"), sink, hw));
            var b = new ModbusMeterFactory().create(Contexts.serial("meter-b", "modbus-meter", Duration.ofMillis(50),
                    "/dev/ttyUSB0", 9600, true, config("unit", 2, "map", "sdm630"), sink, hw));
            a.start();
            b.start();
            try {
                boolean sawA = false;
                boolean sawB = false;
                for (int i = 0; i < 20 && !(sawA && sawB); i++) {
                    var r = sink.next(Message.Reading.class, Duration.ofSeconds(5));
                    sawA |= r.device().equals("meter-a") && r.metrics().containsKey("voltage_v");
                    sawB |= r.device().equals("meter-b") && r.metrics().containsKey("l2_voltage_v");
                }
                assertTrue(sawA && sawB, "both meters read");
                var sim = hw.rs485(SerialSettings.of("/dev/ttyUSB0", 9600), true)
                        .simulator(ModbusSlaveSimulator.class, ModbusSlaveSimulator::new);
                assertTrue(sim.hasUnit(1) && sim.hasUnit(2));
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    @Test
    void two_devices_with_one_unit_id_on_one_bus_are_refused_by_name() throws Exception {
        try (Hardware hw = new Hardware()) {
            CollectingSink sink = new CollectingSink();
            var a = new ModbusMeterFactory().create(Contexts.serial("meter-a", "modbus-meter", Duration.ofMillis(50),
                    "/dev/ttyUSB0", 9600, true, config("unit", 3, "map", "sdm120"), sink, hw));
            a.start();
            try {
                sink.next(Message.Reading.class, Duration.ofSeconds(5));
                var b = new ModbusMeterFactory().create(Contexts.serial("meter-b", "modbus-meter", Duration.ofMillis(50),
                        "/dev/ttyUSB0", 9600, true, config("unit", 3, "map", "sdm630"), sink, hw));
                b.start();
                org.streetgate.drivers.testing.Await.until(Duration.ofSeconds(5),
                        () -> b.status().state() == DeviceStatus.State.OFFLINE, () -> "" + b.status().snapshot());
                assertEquals("devices 'meter-a' and 'meter-b' both use modbus unit 3 on /dev/ttyUSB0; "
                        + "give each device on a bus its own unit id", b.status().snapshot().lastError());
                assertEquals(DeviceStatus.State.OK, a.status().state());
                b.stop();
            } finally {
                a.stop();
            }
        }
    }

    @Test
    void values_the_meter_cannot_measure_are_left_out_counted_and_the_rest_still_goes_out() throws Exception {
        try (Hardware hw = new Hardware()) {
            CollectingSink sink = new CollectingSink();
            var driver = new ModbusMeterFactory().create(Contexts.serial("meter-1", "modbus-meter", Duration.ofMillis(50),
                    "/dev/ttyUSB0", 9600, true, config("unit", 1, "map", "sdm120",
                            "sim-values", map("voltage_v", "NaN", "current_a", "Infinity")), sink, hw));
            driver.start();
            try {
                var r = sink.next(Message.Reading.class, Duration.ofSeconds(5));
                assertEquals(8, r.metrics().size(), "10 registers, 2 invalid: " + r.metrics());
                assertTrue(!r.metrics().containsKey("voltage_v") && !r.metrics().containsKey("current_a"), r.metrics().toString());
                assertEquals(50.0, r.metrics().get("frequency_hz"), 1.0);
                assertTrue(driver.status().counter(DeviceStatus.INVALID_VALUES) >= 2, driver.status().snapshot().toString());
                assertEquals(0, driver.status().counter(DeviceStatus.INVALID_VALUES) % 2, "two per poll");
                assertEquals(DeviceStatus.State.OK, driver.status().state());
            } finally {
                driver.stop();
            }
        }
    }

    @Test
    void a_poll_where_every_value_is_invalid_is_degraded_with_the_reason_and_publishes_nothing() throws Exception {
        try (Hardware hw = new Hardware()) {
            CollectingSink sink = new CollectingSink();
            var driver = new ModbusMeterFactory().create(Contexts.serial("meter-1", "modbus-meter", Duration.ofMillis(50),
                    "/dev/ttyUSB0", 9600, true, config("unit", 1, "registers", java.util.List.of(
                            map("address", 0, "function", 4, "type", "float32", "metric", "voltage_v")),
                            "sim-values", map("voltage_v", "NaN")), sink, hw));
            driver.start();
            try {
                org.streetgate.drivers.testing.Await.until("three invalid polls",
                        () -> driver.status().counter(DeviceStatus.INVALID_VALUES) >= 3);
                assertEquals(DeviceStatus.State.DEGRADED, driver.status().state());
                assertEquals("every value invalid: voltage_v (NaN in register 0)", driver.status().snapshot().lastError());
                assertEquals(java.util.List.of(), sink.received(), "no reading without a value");
            } finally {
                driver.stop();
            }
        }
    }
}
