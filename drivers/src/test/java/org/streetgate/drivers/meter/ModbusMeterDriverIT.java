package org.streetgate.drivers.meter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streetgate.drivers.testing.Configs.map;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.modbus.ModbusSlaveSimulator;
import org.streetgate.drivers.modbus.ModbusSlaveSimulator.Fault;
import org.streetgate.drivers.modbus.RegisterType;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Configs;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;

/** modbus-meter through jSerialComm and a socat pty, with the slave simulator on the device end. */
class ModbusMeterDriverIT {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static ModbusMeterConfig config(Object... keys) {
        return new ModbusMeterFactory().parseConfig(new Configs().reader(map(keys)));
    }

    private static ModbusMeterConfig waterLevel(int unit) {
        return config("unit", unit, "response-timeout", "150ms", "retries", 1, "stuck-after", 5,
                "registers", List.of(map("address", "0x0101", "type", "uint16", "scale", -0.001, "offset", 4.2,
                        "metric", "water_level_m")));
    }

    private static Driver meter(String id, Path port, ModbusMeterConfig cfg, CollectingSink sink, Hardware hw) {
        return new ModbusMeterFactory().create(
                Contexts.serial(id, "modbus-meter", POLL, port.toString(), 9600, false, cfg, sink, hw));
    }

    @Test
    void two_meters_on_one_pty_bus_are_both_read() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "bus"); Hardware hw = new Hardware()) {
            ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
            ModbusMeterConfig sdm = config("unit", 1, "map", "sdm120");
            var u1 = sim.unit(1);
            for (MeterRegister r : sdm.registers()) {
                u1.input(r.address(), RegisterType.FLOAT32, RegisterType.WordOrder.HIGH_FIRST, 1.5);
            }
            u1.input(0, RegisterType.FLOAT32, RegisterType.WordOrder.HIGH_FIRST, 230.5);
            sim.unit(2).holding(0x0101, 2950);
            CollectingSink sink = new CollectingSink();
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                Driver energy = meter("energy", pty.driverEnd(), sdm, sink, hw);
                Driver level = meter("river", pty.driverEnd(), waterLevel(2), sink, hw);
                energy.start();
                level.start();
                try {
                    Message.Reading e = null;
                    Message.Reading l = null;
                    for (int i = 0; i < 40 && (e == null || l == null); i++) {
                        var r = sink.next(Message.Reading.class, WAIT);
                        if (r.device().equals("energy")) {
                            e = r;
                        } else {
                            l = r;
                        }
                    }
                    assertEquals(230.5, e.metrics().get("voltage_v"));
                    assertEquals(1.5, e.metrics().get("energy_kwh"));
                    assertEquals(1.25, l.metrics().get("water_level_m"));
                    assertEquals(DeviceStatus.State.OK, energy.status().state());
                    assertEquals(DeviceStatus.State.OK, level.status().state());
                    assertEquals(0, energy.status().counter("timeouts") + level.status().counter("timeouts"));
                } finally {
                    energy.stop();
                    level.stop();
                }
            }
        }
    }

    @Test
    void each_simulated_fault_shows_in_status_and_reading_resumes() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "faults"); Hardware hw = new Hardware()) {
            ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
            var unit = sim.unit(4).strict(true);
            CollectingSink sink = new CollectingSink();
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                Driver d = meter("river", pty.driverEnd(), waterLevel(4), sink, hw);
                d.start();
                try {
                    // Exception code: the register is not there.
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.DEGRADED, () -> "" + d.status().snapshot());
                    assertEquals("modbus unit 4 on " + pty.driverEnd() + " refused read holding register 0x0101 (FC03): "
                            + "exception 02 illegal data address", d.status().snapshot().lastError());

                    unit.holding(0x0101, 3200);
                    assertEquals(1.0, sink.next(Message.Reading.class, WAIT).metrics().get("water_level_m"));
                    // From now on the level moves on every read, as a real river does.
                    unit.animate(u -> u.holding(0x0101, 3000 + (u.holding(0x0101) + 1) % 100));
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());

                    // No answer: degraded with a timeout naming the unit, then back.
                    unit.fail(new Fault.NoAnswer());
                    Await.until(WAIT, () -> String.valueOf(d.status().snapshot().lastError()).contains("did not answer"),
                            () -> "" + d.status().snapshot());
                    assertEquals(DeviceStatus.State.DEGRADED, d.status().state());
                    unit.heal();
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());

                    // One CRC error and noise before an answer: retried or skipped, readings keep coming.
                    unit.fail(new Fault.BadCrc(), 1);
                    Await.until(WAIT, () -> d.status().counter("crc_errors") >= 1, () -> "" + d.status().snapshot());
                    unit.fail(new Fault.Garbage(7), 1);
                    Await.until(WAIT, () -> d.status().counter("garbage_bytes") >= 7, () -> "" + d.status().snapshot());
                    sink.next(Message.Reading.class, WAIT);
                    assertEquals(DeviceStatus.State.OK, d.status().state());

                    // Stuck values: a level that moved on every read freezes; after stuck-after polls
                    // without change, one event and degraded.
                    for (int i = 0; i < 8; i++) {
                        // moving values: readings only, no event
                        assertTrue(sink.take(1, WAIT).get(0) instanceof Message.Reading);
                    }
                    assertEquals(DeviceStatus.State.OK, d.status().state());
                    unit.fail(new Fault.Stuck());
                    var stuck = sink.next(Message.Event.class, WAIT);
                    assertEquals("meter.stuck", stuck.type());
                    assertEquals(Message.Severity.WARNING, stuck.severity());
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.DEGRADED, () -> "" + d.status().snapshot());
                    assertTrue(d.status().snapshot().lastError().contains("unchanged for 5 polls"));
                    unit.heal();
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());
                } finally {
                    d.stop();
                }
            }
        }
    }

    @Test
    void pulled_cable_shows_offline_and_the_driver_resumes_on_its_own_after_replug() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "cable"); Hardware hw = new Hardware()) {
            ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
            sim.unit(1).holding(0x0101, 2950);
            CollectingSink sink = new CollectingSink();
            Driver d = meter("river", pty.driverEnd(), waterLevel(1), sink, hw);
            PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600);
            d.start();
            try {
                sink.next(Message.Reading.class, WAIT);
                pty.unplug();
                device.close();
                Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OFFLINE, () -> "" + d.status().snapshot());
                String error = d.status().snapshot().lastError();
                assertTrue(error.contains(pty.driverEnd().toString()), error);

                pty.replug();
                device = PtyDevice.serve(sim, pty.deviceEnd(), 9600);
                sim.unit(1).holding(0x0101, 3000);
                Await.until(Duration.ofSeconds(20), () -> d.status().state() == DeviceStatus.State.OK,
                        () -> "" + d.status().snapshot());
                Message.Reading r;
                do {
                    r = sink.next(Message.Reading.class, WAIT);
                } while (r.metrics().get("water_level_m") != 1.2);
                assertTrue(d.status().counter("reconnects") >= 1);
            } finally {
                d.stop();
                device.close();
            }
        }
    }

    @Test
    void the_meter_simulator_serves_an_sdm630_over_a_pty() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "sdm630"); Hardware hw = new Hardware()) {
            ModbusMeterConfig cfg = config("unit", 5, "map", "sdm630", "sim-values", map("l2_voltage_v", 228.0));
            ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
            ModbusMeterSimulator.install(sim, cfg, 42);
            CollectingSink sink = new CollectingSink();
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                Driver d = meter("three-phase", pty.driverEnd(), cfg, sink, hw);
                d.start();
                try {
                    var first = sink.next(Message.Reading.class, WAIT);
                    var second = sink.next(Message.Reading.class, WAIT);
                    assertEquals(18, first.metrics().size());
                    assertEquals(228.0, first.metrics().get("l2_voltage_v"), 2.0);
                    assertEquals(230.0, first.metrics().get("l1_voltage_v"), 2.0);
                    assertEquals(50.0, first.metrics().get("frequency_hz"), 0.5);
                    assertTrue(second.metrics().get("energy_kwh") > first.metrics().get("energy_kwh"));
                } finally {
                    d.stop();
                }
            }
        }
    }
}
