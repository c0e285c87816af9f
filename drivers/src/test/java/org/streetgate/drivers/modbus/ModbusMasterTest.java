package org.streetgate.drivers.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.modbus.ModbusSlaveSimulator.Fault;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.Rs485Bus;
import org.streetgate.drivers.transport.SerialSettings;

/** The master against simulated slaves on an in-memory RS-485 bus. */
class ModbusMasterTest {
    private static final ModbusMaster.Timing FAST = new ModbusMaster.Timing(Duration.ofMillis(150), 2, Duration.ofSeconds(2));

    private final Hardware hardware = new Hardware();
    private final Rs485Bus bus = hardware.rs485(SerialSettings.of("/dev/ttyRS485", 9600), true);
    private final ModbusSlaveSimulator sim = bus.simulator(ModbusSlaveSimulator.class, ModbusSlaveSimulator::new);
    private final DeviceStatus status = new DeviceStatus();
    private final ModbusMaster master = new ModbusMaster(bus, FAST, status);

    @AfterEach
    void close() {
        hardware.close();
    }

    @Test
    void reads_holding_and_input_registers_of_the_addressed_unit() throws Exception {
        sim.unit(1).holding(100, 7, 8, 9).input(0, RegisterType.FLOAT32, RegisterType.WordOrder.HIGH_FIRST, 230.5);
        sim.unit(2).holding(100, 70, 80, 90);
        assertArrayEquals(new int[] {7, 8, 9}, master.readHolding(1, 100, 3));
        assertArrayEquals(new int[] {70, 80, 90}, master.readHolding(2, 100, 3));
        assertArrayEquals(new int[] {0x4366, 0x8000}, master.readInput(1, 0, 2));
    }

    @Test
    void writes_single_and_multiple_registers() throws Exception {
        sim.unit(5);
        master.writeSingle(5, 10, 0xBEEF);
        master.writeMultiple(5, 20, 1, 2, 3);
        assertEquals(0xBEEF, sim.unit(5).holding(10));
        assertArrayEquals(new int[] {1, 2, 3}, master.readHolding(5, 20, 3));
    }

    @Test
    void exception_response_is_an_error_naming_port_unit_registers_and_meaning() {
        sim.unit(3).strict(true).holding(0, 1);
        ModbusException e = assertThrows(ModbusException.class, () -> master.readHolding(3, 0x0100, 2));
        assertEquals(ModbusException.Kind.EXCEPTION_RESPONSE, e.kind());
        assertEquals(2, e.exceptionCode());
        assertEquals("modbus unit 3 on /dev/ttyRS485 refused read holding registers 0x0100..0x0101 (FC03): "
                + "exception 02 illegal data address", e.getMessage());
        assertEquals(1, status.counter("exceptions"));
        assertEquals(0, status.counter("retries"), "an exception answer is final");
    }

    @Test
    void illegal_function_exception_from_a_fault_is_reported() {
        sim.unit(4).fail(new Fault.ExceptionCode(1));
        ModbusException e = assertThrows(ModbusException.class, () -> master.writeSingle(4, 1, 1));
        assertTrue(e.getMessage().contains("exception 01 illegal function"), e.getMessage());
    }

    @Test
    void silent_unit_times_out_after_every_retry() {
        sim.unit(9).fail(new Fault.NoAnswer());
        long t0 = System.nanoTime();
        ModbusException e = assertThrows(ModbusException.class, () -> master.readInput(9, 0, 2));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ModbusException.Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().startsWith("modbus unit 9 on /dev/ttyRS485 did not answer read input registers "
                + "0x0000..0x0001 (FC04) (3 tries, 150 ms each"), e.getMessage());
        assertEquals(3, status.counter("timeouts"));
        assertEquals(2, status.counter("retries"));
        assertEquals(3, sim.unit(9).requests());
        assertTrue(ms >= 450, "three 150 ms waits took only " + ms + " ms");
    }

    @Test
    void unknown_unit_id_times_out() {
        ModbusException e = assertThrows(ModbusException.class, () -> master.readHolding(42, 0, 1));
        assertEquals(ModbusException.Kind.TIMEOUT, e.kind());
        assertEquals(42, e.unit());
    }

    @Test
    void one_crc_error_is_retried_and_the_read_succeeds() throws Exception {
        sim.unit(1).holding(0, 1234).fail(new Fault.BadCrc(), 1);
        assertArrayEquals(new int[] {1234}, master.readHolding(1, 0, 1));
        assertEquals(1, status.counter("crc_errors"));
        assertEquals(1, status.counter("retries"));
    }

    @Test
    void persistent_crc_errors_fail_with_a_corrupt_response_error() {
        sim.unit(1).holding(0, 1234).fail(new Fault.BadCrc());
        ModbusException e = assertThrows(ModbusException.class, () -> master.readHolding(1, 0, 1));
        assertEquals(ModbusException.Kind.CORRUPT_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
        assertEquals(3, status.counter("crc_errors"));
    }

    @Test
    void garbage_before_an_answer_is_skipped_and_counted() throws Exception {
        sim.unit(1).holding(0, 4321).fail(new Fault.Garbage(6), 1);
        assertArrayEquals(new int[] {4321}, master.readHolding(1, 0, 1));
        assertEquals(6, status.counter("garbage_bytes"));
        assertEquals(0, status.counter("retries"));
    }

    @Test
    void busy_slave_is_asked_again() throws Exception {
        sim.unit(1).holding(0, 5).fail(new Fault.ExceptionCode(6), 1);
        assertArrayEquals(new int[] {5}, master.readHolding(1, 0, 1));
        assertEquals(1, status.counter("retries"));
    }

    @Test
    void stuck_unit_answers_frozen_values_and_ignores_writes() throws Exception {
        int[] counter = {0};
        sim.unit(1).animate(u -> u.holding(0, ++counter[0]));
        assertArrayEquals(new int[] {1}, master.readHolding(1, 0, 1));
        sim.unit(1).fail(new Fault.Stuck());
        assertArrayEquals(new int[] {1}, master.readHolding(1, 0, 1));
        master.writeSingle(1, 0, 99);
        assertArrayEquals(new int[] {1}, master.readHolding(1, 0, 1));
        sim.unit(1).heal();
        assertArrayEquals(new int[] {2}, master.readHolding(1, 0, 1));
    }

    @Test
    void several_units_polled_concurrently_get_their_own_answers() throws Exception {
        for (int u = 1; u <= 4; u++) {
            sim.unit(u).holding(0, u * 1000);
        }
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int u = 1; u <= 4; u++) {
            int unit = u;
            ModbusMaster own = new ModbusMaster(bus, FAST, new DeviceStatus());
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 25; i++) {
                        assertArrayEquals(new int[] {unit * 1000}, own.readHolding(unit, 0, 1));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(20));
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        for (int u = 1; u <= 4; u++) {
            assertEquals(25, sim.unit(u).requests());
        }
    }

    @Test
    void a_bus_held_too_long_by_another_device_is_a_bus_busy_error() throws Exception {
        sim.unit(1).holding(0, 1);
        ModbusMaster impatient = new ModbusMaster(bus,
                new ModbusMaster.Timing(Duration.ofMillis(100), 0, Duration.ofMillis(100)), status);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> {
            try {
                bus.exchange(Duration.ofSeconds(1), link -> {
                    held.countDown();
                    release.await();
                    return null;
                });
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        held.await();
        try {
            ModbusException e = assertThrows(ModbusException.class, () -> impatient.readHolding(1, 0, 1));
            assertEquals(ModbusException.Kind.BUS_BUSY, e.kind());
            assertTrue(e.getMessage().contains("/dev/ttyRS485"), e.getMessage());
        } finally {
            release.countDown();
            holder.join();
        }
        assertArrayEquals(new int[] {1}, impatient.readHolding(1, 0, 1));
    }

    @Test
    void devices_that_disagree_on_a_ports_settings_are_refused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hardware.rs485(SerialSettings.of("/dev/ttyRS485", 19200), true));
        assertTrue(e.getMessage().contains("/dev/ttyRS485"), e.getMessage());
    }
}
