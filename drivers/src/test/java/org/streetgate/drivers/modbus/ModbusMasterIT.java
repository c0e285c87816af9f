package org.streetgate.drivers.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.modbus.ModbusSlaveSimulator.Fault;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.Rs485Bus;
import org.streetgate.drivers.transport.SerialSettings;

/** The master through jSerialComm and a real socat pty, against our slave simulator on the far end. */
class ModbusMasterIT {
    private static final ModbusMaster.Timing TIMING =
            new ModbusMaster.Timing(Duration.ofMillis(300), 2, Duration.ofSeconds(5));

    @TempDir
    Path dir;

    @Test
    void two_units_on_one_pty_bus_answer_concurrent_masters() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "rs485"); Hardware hw = new Hardware()) {
            ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
            sim.unit(1).input(0, RegisterType.FLOAT32, RegisterType.WordOrder.HIGH_FIRST, 230.5);
            sim.unit(2).input(0, RegisterType.FLOAT32, RegisterType.WordOrder.HIGH_FIRST, 231.25);
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                Rs485Bus bus = hw.rs485(SerialSettings.of(pty.driverEnd().toString(), 9600), false);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread[] threads = new Thread[2];
                for (int u = 1; u <= 2; u++) {
                    int unit = u;
                    DeviceStatus status = new DeviceStatus();
                    ModbusMaster master = new ModbusMaster(bus, TIMING, status);
                    double expected = unit == 1 ? 230.5 : 231.25;
                    threads[u - 1] = Thread.ofVirtual().start(() -> {
                        try {
                            for (int i = 0; i < 10; i++) {
                                int[] regs = master.readInput(unit, 0, 2);
                                assertEquals(expected, RegisterType.FLOAT32.decode(regs, 0, RegisterType.WordOrder.HIGH_FIRST));
                            }
                            assertEquals(0, status.counter("timeouts"));
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        }
                    });
                }
                for (Thread t : threads) {
                    t.join(Duration.ofSeconds(30));
                }
                if (failure.get() != null) {
                    throw new AssertionError(failure.get());
                }
                assertEquals(10, sim.unit(1).requests());
                assertEquals(10, sim.unit(2).requests());
            }
        }
    }

    @Test
    void every_simulated_fault_is_handled_over_a_pty() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "faults"); Hardware hw = new Hardware()) {
            ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
            sim.unit(7).holding(0x10, 111, 222).strict(true);
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                DeviceStatus status = new DeviceStatus();
                ModbusMaster master = new ModbusMaster(
                        hw.rs485(SerialSettings.of(pty.driverEnd().toString(), 9600), false), TIMING, status);

                sim.unit(7).fail(new Fault.BadCrc(), 1);
                assertArrayEquals(new int[] {111, 222}, master.readHolding(7, 0x10, 2));
                assertEquals(1, status.counter("crc_errors"));

                sim.unit(7).fail(new Fault.Garbage(5), 1);
                assertArrayEquals(new int[] {111, 222}, master.readHolding(7, 0x10, 2));
                assertEquals(5, status.counter("garbage_bytes"));

                sim.unit(7).fail(new Fault.NoAnswer(), 1);
                assertArrayEquals(new int[] {111, 222}, master.readHolding(7, 0x10, 2));
                assertEquals(1, status.counter("timeouts"));

                ModbusException refused = assertThrows(ModbusException.class, () -> master.readHolding(7, 0x20, 1));
                assertTrue(refused.getMessage().contains("modbus unit 7 on " + pty.driverEnd()
                        + " refused read holding register 0x0020 (FC03): exception 02 illegal data address"),
                        refused.getMessage());

                sim.unit(7).fail(new Fault.NoAnswer());
                ModbusException silent = assertThrows(ModbusException.class, () -> master.readHolding(7, 0x10, 2));
                assertEquals(ModbusException.Kind.TIMEOUT, silent.kind());

                sim.unit(7).heal();
                master.writeMultiple(7, 0x10, 5, 6);
                assertArrayEquals(new int[] {5, 6}, master.readHolding(7, 0x10, 2));
            }
        }
    }

    @Test
    void a_pulled_adapter_fails_the_transaction_and_the_bus_reopens_after_replug() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "plug"); Hardware hw = new Hardware()) {
            ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
            sim.unit(1).holding(0, 42);
            ModbusMaster master = new ModbusMaster(
                    hw.rs485(SerialSettings.of(pty.driverEnd().toString(), 9600), false), TIMING, null);
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                assertArrayEquals(new int[] {42}, master.readHolding(1, 0, 1));
                pty.unplug();
                IOException gone = null;
                for (int i = 0; i < 5 && gone == null; i++) {
                    try {
                        master.readHolding(1, 0, 1);
                    } catch (IOException e) {
                        gone = e;
                    } catch (ModbusException e) {
                        // the pty may need a moment to report itself gone
                    }
                }
                assertTrue(gone != null && gone.getMessage().contains(pty.driverEnd().toString()),
                        "an I/O error naming the port, got " + gone);
            }
            pty.replug();
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                assertArrayEquals(new int[] {42}, master.readHolding(1, 0, 1));
            }
        }
    }
}
