package org.streetgate.drivers.dock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Vectors;

/** Modbus FC 05 (write single coil), the one function the dock needs beyond the shared codec. */
class DockCoilCodecTest {
    /**
     * Modbus Application Protocol V1.1b3 §6.5 example PDU (coil 173 on: 05 00 AC FF 00), framed for
     * RTU with unit 0x11 as the Simply Modbus FC05 page shows it, CRC 4E 8B. Not among the published vectors
     * (test resource vectors/); made from the protocol's definition.
     */
    private static final byte[] SPEC_EXAMPLE = {
        0x11,                    // unit 17
        0x05,                    // function 05: write single coil
        0x00, (byte) 0xAC,       // coil address 172 (coil 173, 1-based)
        (byte) 0xFF, 0x00,       // FF00 = on
        0x4E, (byte) 0x8B,       // CRC-16/MODBUS, low byte first
    };

    @Test
    void encodes_the_spec_example_byte_for_byte() {
        assertArrayEquals(SPEC_EXAMPLE, DockCoilCodec.writeCoil(0x11, 172, true));
    }

    @Test
    void decodes_the_spec_example_and_its_echo_is_the_same_frame() {
        var f = assertInstanceOf(DockCoilCodec.CoilFrame.class, DockCoilCodec.decode(SPEC_EXAMPLE, 0, 8));
        assertEquals(new DockCoilCodec.CoilFrame(0x11, 172, true, 8), f);
    }

    @Test
    void off_is_0000() {
        byte[] off = DockCoilCodec.writeCoil(1, 1, false);
        assertArrayEquals(Vectors.hex("01 05 00 01 00 00 9C 0A"), off);
        assertEquals(false, ((DockCoilCodec.CoilFrame) DockCoilCodec.decode(off, 0, off.length)).on());
    }

    @Test
    void an_exception_answer_decodes_to_its_code() {
        byte[] refused = {
            0x01,                // unit 1
            (byte) 0x85,         // 0x80 | 05: exception to write single coil
            0x02,                // code 02 illegal data address
            (byte) 0xC3, 0x51,   // CRC
        };
        assertArrayEquals(refused, DockCoilCodec.exception(1, 2));
        assertEquals(new DockCoilCodec.Refused(1, 2, 5), DockCoilCodec.decode(refused, 0, refused.length));
    }

    @Test
    void short_bad_crc_bad_value_and_other_functions_are_told_apart() {
        assertInstanceOf(DockCoilCodec.NeedMore.class, DockCoilCodec.decode(SPEC_EXAMPLE, 0, 7));
        byte[] bad = SPEC_EXAMPLE.clone();
        bad[7] ^= 0x5A;
        assertEquals("CRC D14E != 8B4E", ((DockCoilCodec.Corrupt) DockCoilCodec.decode(bad, 0, 8)).reason());
        byte[] value = Vectors.hex("11 05 00 AC 12 34 00 00");
        byte[] framed = org.streetgate.drivers.modbus.ModbusRtuCodec.withCrc(java.util.Arrays.copyOf(value, 6));
        assertEquals(new DockCoilCodec.IllegalValue(0x11, 0xAC, 0x1234, 8), DockCoilCodec.decode(framed, 0, 8));
        byte[] fc04 = Vectors.first("modbus-rtu.tsv", "request").bytes(); // pymodbus TestFramerType (RTU), FC03
        assertEquals(1, ((DockCoilCodec.Corrupt) DockCoilCodec.decode(fc04, 0, fc04.length)).bytes());
    }
}
