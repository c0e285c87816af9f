package org.streetgate.drivers.dock;

import org.streetgate.drivers.modbus.ModbusRtuCodec;

/**
 * Modbus function 05, write single coil, which the shared codec ({@link ModbusRtuCodec}, FC 03/04/06/16)
 * does not carry: {@code unit, 05, address hi lo, FF 00 (on) | 00 00 (off), CRC lo hi}. The slave
 * echoes the request; an exception answer is {@code unit, 85, code, CRC}. The CRC is the shared codec's.
 */
public final class DockCoilCodec {
    public static final int WRITE_COIL = 5;
    public static final int FRAME_LENGTH = 8;
    private static final int EXCEPTION_LENGTH = 5;

    private DockCoilCodec() {}

    /** What the start of a buffer holds. */
    public sealed interface Decoded {}

    /** A write-coil request or its echo. */
    public record CoilFrame(int unit, int address, boolean on, int consumed) implements Decoded {}

    /** The slave refused with {@code code}. */
    public record Refused(int unit, int code, int consumed) implements Decoded {}

    public record NeedMore() implements Decoded {}

    /**
     * A well-framed write-coil request whose value is neither FF00 nor 0000: the spec makes the
     * slave refuse it with exception 03 (illegal data value).
     */
    public record IllegalValue(int unit, int address, int value, int consumed) implements Decoded {}

    /** The first {@code bytes} bytes are no valid FC 05 frame. */
    public record Corrupt(int bytes, String reason) implements Decoded {}

    public static byte[] writeCoil(int unit, int address, boolean on) {
        if (unit < 0 || unit > 255) {
            throw new IllegalArgumentException("unit id must be 0..255, not " + unit);
        }
        if (address < 0 || address > 0xFFFF) {
            throw new IllegalArgumentException("coil address must be 0..65535, not " + address);
        }
        return ModbusRtuCodec.withCrc(new byte[] {(byte) unit, WRITE_COIL, (byte) (address >>> 8), (byte) address,
                (byte) (on ? 0xFF : 0x00), 0x00});
    }

    /** An exception answer to a write-coil request. */
    public static byte[] exception(int unit, int code) {
        return ModbusRtuCodec.withCrc(new byte[] {(byte) unit, (byte) (WRITE_COIL | 0x80), (byte) code});
    }

    /**
     * Decodes a write-coil request, or the slave's echo of one (they are the same bytes), at
     * {@code off}. A value other than FF00 or 0000 is an {@link IllegalValue}: the spec makes the slave refuse it.
     */
    public static Decoded decode(byte[] b, int off, int len) {
        if (len < 2) {
            return new NeedMore();
        }
        int function = b[off + 1] & 0xFF;
        if (function == (WRITE_COIL | 0x80)) {
            if (len < EXCEPTION_LENGTH) {
                return new NeedMore();
            }
            String bad = checkCrc(b, off, EXCEPTION_LENGTH);
            return bad != null ? new Corrupt(EXCEPTION_LENGTH, bad)
                    : new Refused(b[off] & 0xFF, b[off + 2] & 0xFF, EXCEPTION_LENGTH);
        }
        if (function != WRITE_COIL) {
            return new Corrupt(1, "function " + function + " is not write single coil");
        }
        if (len < FRAME_LENGTH) {
            return new NeedMore();
        }
        String bad = checkCrc(b, off, FRAME_LENGTH);
        if (bad != null) {
            return new Corrupt(FRAME_LENGTH, bad);
        }
        int value = (b[off + 4] & 0xFF) << 8 | (b[off + 5] & 0xFF);
        if (value != 0xFF00 && value != 0x0000) {
            return new IllegalValue(b[off] & 0xFF, (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF), value, FRAME_LENGTH);
        }
        return new CoilFrame(b[off] & 0xFF, (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF), value == 0xFF00,
                FRAME_LENGTH);
    }

    private static String checkCrc(byte[] b, int off, int total) {
        int expected = (b[off + total - 2] & 0xFF) | (b[off + total - 1] & 0xFF) << 8;
        int actual = ModbusRtuCodec.crc16(b, off, total - 2);
        return expected == actual ? null : String.format("CRC %04X != %04X", expected, actual);
    }
}
