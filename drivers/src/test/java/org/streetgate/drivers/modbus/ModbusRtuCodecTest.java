package org.streetgate.drivers.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Vectors;

/** Against the test resource vectors/modbus-rtu.tsv; each test names the row's published source. */
class ModbusRtuCodecTest {
    private static final String FILE = "modbus-rtu.tsv";

    private static List<Vectors.Row> rows(String kind) {
        return Vectors.tsv(FILE).stream().filter(r -> r.kind().equals(kind)).toList();
    }

    private static Vectors.Row row(String kind, String expectedStartsWith) {
        return rows(kind).stream().filter(r -> r.expected().startsWith(expectedStartsWith)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " row '" + expectedStartsWith + "'"));
    }

    @Test
    void crc_matches_every_published_vector() {
        // Modbus over Serial Line spec; pymodbus test_framer; digitalpetri Crc16Test; mvysny CRC16ModbusTest.
        List<Vectors.Row> crcs = rows("crc");
        assertEquals(4, crcs.size());
        for (Vectors.Row r : crcs) {
            String wire = r.expected().substring(r.expected().indexOf("wire ") + 5);
            byte[] framed = ModbusRtuCodec.withCrc(r.bytes());
            byte[] tail = Arrays.copyOfRange(framed, framed.length - 2, framed.length);
            assertArrayEquals(Vectors.hex(wire), tail, r.source());
        }
        assertEquals(0x2590, ModbusRtuCodec.crc16(Vectors.hex("12 34 56 78 09"), 0, 5)); // digitalpetri
    }

    @Test
    void fc03_request_encodes_to_the_published_bytes_and_decodes_back() {
        // pymodbus TestFramerType (RTU): unit 0x11 FC03 start 124 qty 2
        byte[] wire = Vectors.first(FILE, "request").bytes();
        ModbusRequest q = ModbusRequest.readHolding(0x11, 124, 2);
        assertArrayEquals(wire, ModbusRtuCodec.encode(q));
        var f = assertInstanceOf(ModbusRtuCodec.RequestFrame.class, ModbusRtuCodec.decodeRequest(wire, 0, wire.length));
        assertEquals(q, f.request());
        assertEquals(8, f.consumed());
        // pymodbus: the same request to unit 0xFF
        assertArrayEquals(row("request", "unit 0xFF").bytes(), ModbusRtuCodec.encode(ModbusRequest.readHolding(0xFF, 124, 2)));
    }

    @Test
    void fc03_response_decodes_to_its_registers() {
        // pymodbus TestFramerType (RTU): registers 0x008D 0x008E, for units 0x11 and 0xFF
        for (Vectors.Row r : rows("response").subList(0, 2)) {
            var f = assertInstanceOf(ModbusRtuCodec.ResponseFrame.class,
                    ModbusRtuCodec.decodeResponse(r.bytes(), 0, r.bytes().length));
            var regs = assertInstanceOf(ModbusResponse.Registers.class, f.response());
            assertArrayEquals(new int[] {0x008D, 0x008E}, regs.values(), r.source());
            assertEquals(3, regs.function());
            assertEquals(r.bytes()[0] & 0xFF, regs.unit());
            assertArrayEquals(r.bytes(), ModbusRtuCodec.encode(regs));
        }
    }

    @Test
    void exception_response_decodes_to_its_code_and_meaning() {
        // pymodbus TestFramerType (RTU): FC03 exception 02 illegal data address
        byte[] wire = Vectors.first(FILE, "exception").bytes();
        var f = assertInstanceOf(ModbusRtuCodec.ResponseFrame.class, ModbusRtuCodec.decodeResponse(wire, 0, wire.length));
        var e = assertInstanceOf(ModbusResponse.Exception.class, f.response());
        assertEquals(new ModbusResponse.Exception(0x11, 3, 2), e);
        assertEquals("illegal data address", e.meaning());
        assertArrayEquals(wire, ModbusRtuCodec.encode(e));
    }

    @Test
    void frame_with_a_bad_crc_is_rejected_whole() {
        // pymodbus TestFramerType (RTU) bad-crc row
        byte[] wire = Vectors.first(FILE, "bad-crc").bytes();
        var c = assertInstanceOf(ModbusRtuCodec.Corrupt.class, ModbusRtuCodec.decodeResponse(wire, 0, wire.length));
        assertEquals(5, c.bytes());
        assertTrue(c.reason().startsWith("CRC"), c.reason());
    }

    @Test
    void fc04_eastron_voltage_round_trips_as_float32_high_word_first() {
        // Eastron SDM manual example request; response recorded from j2mod 3.2.1's slave over a pty
        assertArrayEquals(row("request", "FC04").bytes(), ModbusRtuCodec.encode(ModbusRequest.readInput(1, 0, 2)));
        byte[] wire = row("response", "float32").bytes();
        var f = (ModbusRtuCodec.ResponseFrame) ModbusRtuCodec.decodeResponse(wire, 0, wire.length);
        int[] regs = ((ModbusResponse.Registers) f.response()).values();
        assertEquals(230.5, RegisterType.FLOAT32.decode(regs, 0, RegisterType.WordOrder.HIGH_FIRST));
        assertArrayEquals(regs, RegisterType.FLOAT32.encode(230.5, RegisterType.WordOrder.HIGH_FIRST));
    }

    @Test
    void fc06_request_and_its_echo_are_the_published_bytes() {
        // j2mod 3.2.1 slave over a pty: the FC06 response echoes the request
        byte[] wire = row("request", "FC06").bytes();
        assertArrayEquals(wire, ModbusRtuCodec.encode(ModbusRequest.writeSingle(1, 1, 3)));
        var echo = (ModbusRtuCodec.ResponseFrame) ModbusRtuCodec.decodeResponse(wire, 0, wire.length);
        assertEquals(new ModbusResponse.Written(1, 6, 1, 3), echo.response());
        assertArrayEquals(wire, ModbusRtuCodec.encode(echo.response()));
    }

    @Test
    void fc16_request_and_acknowledgement_are_the_published_bytes() {
        // j2mod 3.2.1 slave over a pty
        byte[] request = row("request", "FC16").bytes();
        ModbusRequest q = ModbusRequest.writeMultiple(1, 1, 0x000A, 0x0102);
        assertArrayEquals(request, ModbusRtuCodec.encode(q));
        var f = (ModbusRtuCodec.RequestFrame) ModbusRtuCodec.decodeRequest(request, 0, request.length);
        assertEquals(q, f.request());
        byte[] ack = row("response", "FC16").bytes();
        assertArrayEquals(ack, ModbusRtuCodec.encode(new ModbusResponse.Written(1, 16, 1, 2)));
    }

    @Test
    void partial_frames_ask_for_more_bytes() {
        byte[] wire = row("response", "float32").bytes();
        for (int n = 0; n < wire.length; n++) {
            assertInstanceOf(ModbusRtuCodec.NeedMore.class, ModbusRtuCodec.decodeResponse(wire, 0, n), "after " + n);
        }
        byte[] fc16 = row("request", "FC16").bytes();
        for (int n = 0; n < fc16.length; n++) {
            assertInstanceOf(ModbusRtuCodec.NeedMore.class, ModbusRtuCodec.decodeRequest(fc16, 0, n), "after " + n);
        }
    }

    @Test
    void request_with_an_unsupported_function_code_is_dropped() {
        // Made from the protocol's definition: FC 0x2B (encapsulated interface), which we do not serve.
        byte[] wire = ModbusRtuCodec.withCrc(new byte[] {0x01, 0x2B, 0x0E, 0x01, 0x00});
        var c = assertInstanceOf(ModbusRtuCodec.Corrupt.class, ModbusRtuCodec.decodeRequest(wire, 0, wire.length));
        assertTrue(c.reason().contains("43"), c.reason());
    }

    @Test
    void register_types_decode_both_word_orders() {
        int[] hiFirst = {0x1234, 0x5678};
        assertEquals(0x12345678, RegisterType.INT32.decode(hiFirst, 0, RegisterType.WordOrder.HIGH_FIRST));
        assertEquals(0x56781234, RegisterType.INT32.decode(hiFirst, 0, RegisterType.WordOrder.LOW_FIRST));
        assertEquals(4294967295.0, RegisterType.UINT32.decode(new int[] {0xFFFF, 0xFFFF}, 0, RegisterType.WordOrder.HIGH_FIRST));
        assertEquals(-1.0, RegisterType.INT32.decode(new int[] {0xFFFF, 0xFFFF}, 0, RegisterType.WordOrder.HIGH_FIRST));
        assertEquals(-2.0, RegisterType.INT16.decode(new int[] {0xFFFE}, 0, RegisterType.WordOrder.HIGH_FIRST));
        assertEquals(65534.0, RegisterType.UINT16.decode(new int[] {0xFFFE}, 0, RegisterType.WordOrder.HIGH_FIRST));
        assertArrayEquals(new int[] {0x8000, 0x4366},
                RegisterType.FLOAT32.encode(230.5, RegisterType.WordOrder.LOW_FIRST));
    }

    @Test
    void request_description_names_the_registers_and_function() {
        assertEquals("read input registers 0x0000..0x0001 (FC04)", ModbusRequest.readInput(1, 0, 2).describe());
        assertEquals("write register 0x0010 (FC06)", ModbusRequest.writeSingle(1, 16, 5).describe());
    }
}
