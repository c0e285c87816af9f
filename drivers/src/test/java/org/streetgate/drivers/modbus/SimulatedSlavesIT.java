package org.streetgate.drivers.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.dock.DockModel;
import org.streetgate.drivers.dock.DockRegisterMap;
import org.streetgate.drivers.dock.DockScenario;
import org.streetgate.drivers.dock.DockSimulator;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.JSerialCommLink;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSettings;

/**
 * The simulated Modbus slaves answer like real ones (libmodbus's slave, the Modbus application
 * protocol spec V1.1b3), seen from the master's side of a real pty: raw frames in, raw frames out.
 * Requests are built by hand from the spec; {@link ModbusRtuCodec#withCrc} adds the CRC.
 */
class SimulatedSlavesIT {
    private static final Duration REPLY = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private static byte[] frame(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return ModbusRtuCodec.withCrc(b);
    }

    /** Sends {@code request} and reads an answer of exactly {@code length} bytes. */
    private static byte[] ask(SerialLink master, byte[] request, int length) throws Exception {
        master.write(request);
        byte[] got = new byte[length];
        int n = master.readFully(got, 0, length, REPLY);
        return Arrays.copyOf(got, n);
    }

    @Test
    void the_modbus_slave_refuses_bad_requests_as_libmodbus_does_and_executes_broadcasts_silently() throws Exception {
        ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
        sim.unit(1).holding(5, 0x0001);
        sim.unit(2).holding(5, 0x0002);
        try (SocatPty pty = SocatPty.start(dir, "slaves");
             PtyDevice device = PtyDevice.serve(sim, pty, 9600);
             JSerialCommLink master = JSerialCommLink.open(SerialSettings.of(pty.driverEnd().toString(), 9600))) {
            // Broadcast FC06: unit 0, register 5 = 0x1234. Nobody answers; every unit writes it.
            master.write(frame(0x00, 0x06, 0x00, 0x05, 0x12, 0x34));
            // The next thing on the line is unit 1's answer to a read: had the broadcast been answered, that would come first.
            assertArrayEquals(frame(0x01, 0x03, 0x02, 0x12, 0x34), ask(master, frame(0x01, 0x03, 0x00, 0x05, 0x00, 0x01), 7));
            assertEquals(0x1234, sim.unit(2).holding(5));
            // Broadcast FC16 and FC05 likewise.
            master.write(frame(0x00, 0x10, 0x00, 0x06, 0x00, 0x02, 0x04, 0xAA, 0xAA, 0x55, 0x55));
            master.write(frame(0x00, 0x05, 0x00, 0x07, 0xFF, 0x00));
            assertArrayEquals(frame(0x02, 0x03, 0x04, 0xAA, 0xAA, 0x55, 0x55),
                    ask(master, frame(0x02, 0x03, 0x00, 0x06, 0x00, 0x02), 9));
            assertEquals(true, sim.unit(1).coil(7));
            assertEquals(true, sim.unit(2).coil(7));
            assertEquals(3, sim.broadcasts());

            // An unsupported function (FC 0x2B, encapsulated interface): exception 01 illegal function.
            assertArrayEquals(frame(0x01, 0xAB, 0x01), ask(master, frame(0x01, 0x2B), 5));
            // FC03/04: 1..125 registers, else exception 03 illegal data value.
            assertArrayEquals(frame(0x01, 0x83, 0x03), ask(master, frame(0x01, 0x03, 0x00, 0x00, 0x00, 0x00), 5));
            assertArrayEquals(frame(0x01, 0x83, 0x03), ask(master, frame(0x01, 0x03, 0x00, 0x00, 0x00, 0x7E), 5));
            assertArrayEquals(frame(0x01, 0x84, 0x03), ask(master, frame(0x01, 0x04, 0x00, 0x00, 0x00, 0x7E), 5));
            // FC16: 1..123 registers and byte count = 2 x quantity.
            assertArrayEquals(frame(0x01, 0x90, 0x03),
                    ask(master, frame(0x01, 0x10, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x01, 0x02), 5));
            assertArrayEquals(frame(0x01, 0x90, 0x03), ask(master, frame(0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00), 5));
            // FC01/02: 1..2000 coils; FC15: 1..1968 and byte count = ceil(quantity / 8); FC05: FF00 or 0000.
            assertArrayEquals(frame(0x01, 0x81, 0x03), ask(master, frame(0x01, 0x01, 0x00, 0x00, 0x07, 0xD1), 5));
            assertArrayEquals(frame(0x01, 0x82, 0x03), ask(master, frame(0x01, 0x02, 0x00, 0x00, 0x00, 0x00), 5));
            int[] fc15TooMany = new int[7 + 247]; // 1969 coils in 247 bytes: one coil over the limit
            System.arraycopy(new int[] {0x01, 0x0F, 0x00, 0x00, 0x07, 0xB1, 0xF7}, 0, fc15TooMany, 0, 7);
            assertArrayEquals(frame(0x01, 0x8F, 0x03), ask(master, frame(fc15TooMany), 5));
            assertArrayEquals(frame(0x01, 0x8F, 0x03), ask(master, frame(0x01, 0x0F, 0x00, 0x00, 0x00, 0x0A, 0x01, 0xFF), 5));
            assertArrayEquals(frame(0x01, 0x85, 0x03), ask(master, frame(0x01, 0x05, 0x00, 0x07, 0x12, 0x34), 5));
            // Within the limits the same functions work: ten coils read back with coil 7 set by the broadcast.
            assertArrayEquals(frame(0x01, 0x01, 0x02, 0x80, 0x00), ask(master, frame(0x01, 0x01, 0x00, 0x00, 0x00, 0x0A), 7));
            assertArrayEquals(frame(0x01, 0x0F, 0x00, 0x00, 0x00, 0x0A),
                    ask(master, frame(0x01, 0x0F, 0x00, 0x00, 0x00, 0x0A, 0x02, 0x03, 0x00), 8));
            assertEquals(true, sim.unit(1).coil(0));
            assertEquals(false, sim.unit(1).coil(7));
        }
    }

    @Test
    void the_dock_plc_refuses_a_coil_value_other_than_ff00_or_0000_with_exception_03() throws Exception {
        DockRegisterMap map = DockRegisterMap.v1(1);
        DockModel model = new DockModel(DockScenario.named("calm"), Duration.ofMillis(300), 1, System::nanoTime);
        DockSimulator sim = new DockSimulator(map, model);
        try (SocatPty pty = SocatPty.start(dir, "plc");
             PtyDevice device = PtyDevice.serve(sim, pty, 19200);
             JSerialCommLink master = JSerialCommLink.open(SerialSettings.of(pty.driverEnd().toString(), 19200))) {
            int coil = map.coils().charger();
            assertArrayEquals(frame(0x01, 0x85, 0x03),
                    ask(master, frame(0x01, 0x05, coil >> 8, coil & 0xFF, 0x12, 0x34), 5));
            // A valid value is echoed, as FC05 answers.
            byte[] on = frame(0x01, 0x05, coil >> 8, coil & 0xFF, 0xFF, 0x00);
            assertArrayEquals(on, ask(master, on, 8));
        }
    }
}
