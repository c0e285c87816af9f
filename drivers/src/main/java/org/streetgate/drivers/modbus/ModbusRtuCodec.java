package org.streetgate.drivers.modbus;

/**
 * Modbus RTU framing, both directions, without I/O: {@code unit, function, data..., CRC lo, CRC hi}.
 * The CRC is CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), sent low byte first. RTU frames
 * are delimited by line silence, which a byte decoder cannot see, so each decoder works out the
 * frame length from the function code and answers {@link NeedMore} until that many bytes are in.
 */
public final class ModbusRtuCodec {
    /** The longest RTU frame: 1 unit + 1 function + 252 data + 2 CRC. */
    public static final int MAX_FRAME = 256;

    private ModbusRtuCodec() {}

    /** What the start of a buffer holds. */
    public sealed interface Decoded {}

    public record RequestFrame(ModbusRequest request, int consumed) implements Decoded {}

    public record ResponseFrame(ModbusResponse response, int consumed) implements Decoded {}

    /** The frame has not fully arrived. */
    public record NeedMore() implements Decoded {}

    /** The first {@code bytes} bytes are not a valid frame; drop them. */
    public record Corrupt(int bytes, String reason) implements Decoded {}

    public static int crc16(byte[] b, int off, int len) {
        int crc = 0xFFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        return crc;
    }

    /** Returns {@code pdu} with its CRC appended, low byte first. */
    public static byte[] withCrc(byte[] pdu) {
        byte[] out = java.util.Arrays.copyOf(pdu, pdu.length + 2);
        int crc = crc16(pdu, 0, pdu.length);
        out[pdu.length] = (byte) crc;
        out[pdu.length + 1] = (byte) (crc >>> 8);
        return out;
    }

    public static byte[] encode(ModbusRequest r) {
        return switch (r.function()) {
            case ModbusRequest.READ_HOLDING, ModbusRequest.READ_INPUT ->
                    withCrc(new byte[] {(byte) r.unit(), (byte) r.function(), hi(r.address()), lo(r.address()),
                            hi(r.count()), lo(r.count())});
            case ModbusRequest.WRITE_SINGLE -> {
                int v = r.values()[0];
                yield withCrc(new byte[] {(byte) r.unit(), (byte) r.function(), hi(r.address()), lo(r.address()),
                        hi(v), lo(v)});
            }
            default -> {
                int[] values = r.values();
                byte[] pdu = new byte[7 + 2 * values.length];
                pdu[0] = (byte) r.unit();
                pdu[1] = (byte) r.function();
                pdu[2] = hi(r.address());
                pdu[3] = lo(r.address());
                pdu[4] = hi(values.length);
                pdu[5] = lo(values.length);
                pdu[6] = (byte) (2 * values.length);
                for (int i = 0; i < values.length; i++) {
                    pdu[7 + 2 * i] = hi(values[i]);
                    pdu[8 + 2 * i] = lo(values[i]);
                }
                yield withCrc(pdu);
            }
        };
    }

    public static byte[] encode(ModbusResponse r) {
        return switch (r) {
            case ModbusResponse.Registers regs -> {
                int[] values = regs.values();
                byte[] pdu = new byte[3 + 2 * values.length];
                pdu[0] = (byte) regs.unit();
                pdu[1] = (byte) regs.function();
                pdu[2] = (byte) (2 * values.length);
                for (int i = 0; i < values.length; i++) {
                    pdu[3 + 2 * i] = hi(values[i]);
                    pdu[4 + 2 * i] = lo(values[i]);
                }
                yield withCrc(pdu);
            }
            case ModbusResponse.Written w -> withCrc(new byte[] {(byte) w.unit(), (byte) w.function(),
                    hi(w.address()), lo(w.address()), hi(w.value()), lo(w.value())});
            case ModbusResponse.Exception e ->
                    withCrc(new byte[] {(byte) e.unit(), (byte) (e.function() | 0x80), (byte) e.code()});
        };
    }

    /** Decodes a request at {@code off} (the slave's side). */
    public static Decoded decodeRequest(byte[] b, int off, int len) {
        if (len < 2) {
            return new NeedMore();
        }
        int function = b[off + 1] & 0xFF;
        int total;
        switch (function) {
            case ModbusRequest.READ_HOLDING, ModbusRequest.READ_INPUT, ModbusRequest.WRITE_SINGLE -> total = 8;
            case ModbusRequest.WRITE_MULTIPLE -> {
                if (len < 7) {
                    return new NeedMore();
                }
                total = 9 + (b[off + 6] & 0xFF);
            }
            default -> {
                return new Corrupt(1, "unsupported function code " + function);
            }
        }
        if (len < total) {
            return new NeedMore();
        }
        String bad = checkCrc(b, off, total);
        if (bad != null) {
            return new Corrupt(total, bad);
        }
        int unit = b[off] & 0xFF;
        int address = u16(b, off + 2);
        try {
            return new RequestFrame(switch (function) {
                case ModbusRequest.READ_HOLDING, ModbusRequest.READ_INPUT ->
                        new ModbusRequest(unit, function, address, u16(b, off + 4), null);
                case ModbusRequest.WRITE_SINGLE -> ModbusRequest.writeSingle(unit, address, u16(b, off + 4));
                default -> {
                    int count = u16(b, off + 4);
                    if ((b[off + 6] & 0xFF) != 2 * count) {
                        throw new IllegalArgumentException("byte count " + (b[off + 6] & 0xFF) + " for " + count
                                + " registers");
                    }
                    int[] values = new int[count];
                    for (int i = 0; i < count; i++) {
                        values[i] = u16(b, off + 7 + 2 * i);
                    }
                    yield ModbusRequest.writeMultiple(unit, address, values);
                }
            }, total);
        } catch (IllegalArgumentException e) {
            return new Corrupt(total, e.getMessage());
        }
    }

    /** Decodes a response at {@code off} (the master's side). */
    public static Decoded decodeResponse(byte[] b, int off, int len) {
        if (len < 2) {
            return new NeedMore();
        }
        int function = b[off + 1] & 0xFF;
        int total;
        if ((function & 0x80) != 0) {
            total = 5;
        } else {
            switch (function) {
                case ModbusRequest.READ_HOLDING, ModbusRequest.READ_INPUT -> {
                    if (len < 3) {
                        return new NeedMore();
                    }
                    int byteCount = b[off + 2] & 0xFF;
                    if (byteCount % 2 != 0 || byteCount > 250) {
                        return new Corrupt(len, "implausible byte count " + byteCount);
                    }
                    total = 5 + byteCount;
                }
                case ModbusRequest.WRITE_SINGLE, ModbusRequest.WRITE_MULTIPLE -> total = 8;
                default -> {
                    return new Corrupt(len, "unexpected function code " + function);
                }
            }
        }
        if (len < total) {
            return new NeedMore();
        }
        String bad = checkCrc(b, off, total);
        if (bad != null) {
            return new Corrupt(total, bad);
        }
        int unit = b[off] & 0xFF;
        if ((function & 0x80) != 0) {
            return new ResponseFrame(new ModbusResponse.Exception(unit, function & 0x7F, b[off + 2] & 0xFF), total);
        }
        if (function == ModbusRequest.READ_HOLDING || function == ModbusRequest.READ_INPUT) {
            int[] values = new int[(total - 5) / 2];
            for (int i = 0; i < values.length; i++) {
                values[i] = u16(b, off + 3 + 2 * i);
            }
            return new ResponseFrame(new ModbusResponse.Registers(unit, function, values), total);
        }
        return new ResponseFrame(new ModbusResponse.Written(unit, function, u16(b, off + 2), u16(b, off + 4)), total);
    }

    /** The standard meaning of an exception code. */
    public static String exceptionName(int code) {
        return switch (code) {
            case 1 -> "illegal function";
            case 2 -> "illegal data address";
            case 3 -> "illegal data value";
            case 4 -> "server device failure";
            case 5 -> "acknowledge (busy with a long operation)";
            case 6 -> "server device busy";
            case 8 -> "memory parity error";
            case 10 -> "gateway path unavailable";
            case 11 -> "gateway target device failed to respond";
            default -> "unknown exception code";
        };
    }

    private static String checkCrc(byte[] b, int off, int total) {
        int expected = (b[off + total - 2] & 0xFF) | (b[off + total - 1] & 0xFF) << 8;
        int actual = crc16(b, off, total - 2);
        return expected == actual ? null : String.format("CRC %04X != %04X", expected, actual);
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static byte hi(int v) {
        return (byte) (v >>> 8);
    }

    private static byte lo(int v) {
        return (byte) v;
    }
}
