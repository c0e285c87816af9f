package org.streetgate.drivers.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.bme280.Bme280Calibration;
import org.streetgate.drivers.bme280.Bme280Codec;
import org.streetgate.drivers.dock.DockCoilCodec;
import org.streetgate.drivers.dock.DockInputs;
import org.streetgate.drivers.dock.DockRegisterMap;
import org.streetgate.drivers.escpos.EscPosCodec;
import org.streetgate.drivers.escpos.PrinterState;
import org.streetgate.drivers.locker.KerongCodec;
import org.streetgate.drivers.modbus.ModbusRequest;
import org.streetgate.drivers.modbus.ModbusResponse;
import org.streetgate.drivers.modbus.ModbusRtuCodec;
import org.streetgate.drivers.pms5003.Pms5003Codec;
import org.streetgate.drivers.pms5003.Pms5003Frame;
import org.streetgate.drivers.qrscanner.QrScannerCodec;

/**
 * Every decoder of bytes (or registers) a device sends, fed seeded random and mutated frames with a
 * fixed budget per codec. Properties: a sealed result and never an undocumented exception; a decode
 * reads only {@code buf[off, off+len)} (the input sits at the very end of its array, garbage before
 * it, so an over-read throws); a Skip/Corrupt/frame consumes at least one and at most {@code len}
 * bytes, so a driver's decode loop always ends; each codec's whole budget runs within a time bound.
 * A failure prints the seed and the input in hex; each crasher found is kept below as its own test.
 */
class DecoderFuzzTest {
    private static final long SEED = 0x5EED_2026L;
    private static final int BUDGET = 20_000;
    private static final Duration TIME_BOUND = Duration.ofSeconds(20);

    /** What one decode did: how many bytes it took (0: needs more). */
    @FunctionalInterface
    interface Decoder {
        int consumed(byte[] buf, int off, int len);
    }

    // ---- generators ------------------------------------------------------------------------------

    /** Random bytes, a mutated valid frame, or frames glued to noise; lengths up to 600. */
    static byte[] input(Random r, List<byte[]> valid) {
        return switch (r.nextInt(4)) {
            case 0 -> random(r, r.nextInt(r.nextBoolean() ? 16 : 600));
            case 1 -> mutate(r, valid.get(r.nextInt(valid.size())));
            case 2 -> concat(random(r, r.nextInt(8)), valid.get(r.nextInt(valid.size())), random(r, r.nextInt(8)));
            default -> concat(mutate(r, valid.get(r.nextInt(valid.size()))), mutate(r, valid.get(r.nextInt(valid.size()))));
        };
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** One to four of: flip a bit, set a byte to 00/FF/random, truncate, drop a byte, duplicate a run. */
    static byte[] mutate(Random r, byte[] frame) {
        byte[] b = frame.clone();
        for (int m = 1 + r.nextInt(4); m > 0 && b.length > 0; m--) {
            int i = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[i] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[i] = (byte) (r.nextBoolean() ? 0 : 0xFF);
                case 2 -> b[i] = (byte) r.nextInt(256);
                case 3 -> b = Arrays.copyOf(b, i);
                case 4 -> b = concat(Arrays.copyOf(b, i), Arrays.copyOfRange(b, i + 1, b.length));
                default -> b = concat(Arrays.copyOf(b, i + 1), Arrays.copyOfRange(b, i, b.length));
            }
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The input at the end of an array with up to 7 garbage bytes before it. */
    static byte[] placed(Random r, byte[] input, int off) {
        return concat(random(r, off), input);
    }

    // ---- the stream property, shared by every framed decoder ---------------------------------------

    /** Decodes {@code input} the way the drivers do: consume until the decoder needs more. */
    static void drainsInBoundedSteps(String codec, Random r, byte[] input, Decoder d) {
        int off = r.nextInt(8);
        byte[] buf = placed(r, input, off);
        int pos = off;
        int steps = 0;
        while (pos < buf.length) {
            int len = buf.length - pos;
            int c;
            try {
                c = d.consumed(buf, pos, len);
            } catch (RuntimeException e) {
                throw new AssertionError(codec + " threw on " + hex(buf, pos) + " (seed " + SEED + ")", e);
            }
            if (c == 0) {
                return; // needs more: a driver reads on, bounded by its own timeout
            }
            if (c < 0 || c > len) {
                fail(codec + " consumed " + c + " of " + len + " bytes on " + hex(buf, pos));
            }
            pos += c;
            if (++steps > input.length) {
                fail(codec + " took more steps than bytes on " + hex(buf, off));
            }
        }
    }

    static String hex(byte[] b, int from) {
        return HexFormat.of().formatHex(b, from, b.length);
    }

    static void run(String codec, Supplier<List<byte[]>> valid, Decoder d) {
        List<byte[]> frames = valid.get();
        Random r = new Random(SEED ^ codec.hashCode());
        assertTimeoutPreemptively(TIME_BOUND, () -> {
            for (byte[] f : frames) {
                drainsInBoundedSteps(codec, r, f, d); // the valid frames themselves first
            }
            for (int i = 0; i < BUDGET; i++) {
                drainsInBoundedSteps(codec, r, input(r, frames), d);
            }
        }, codec + " did not finish its budget in " + TIME_BOUND);
    }

    // ---- codecs ------------------------------------------------------------------------------------

    @Test
    void pms5003_sensor_and_host_frames() {
        List<byte[]> valid = List.of(pmsFrame(new Random(1)), pmsFrame(new Random(2)),
                Pms5003Codec.read(), Pms5003Codec.sleep(), Pms5003Codec.passiveMode());
        run("pms5003 sensor", () -> valid, (b, o, l) -> switch (Pms5003Codec.decodeSensor(b, o, l)) {
            case Pms5003Codec.Data x -> x.consumed();
            case Pms5003Codec.Ack x -> x.consumed();
            case Pms5003Codec.Skip x -> x.bytes();
            case Pms5003Codec.HostCommand x -> x.consumed();
            case Pms5003Codec.NeedMore x -> 0;
        });
        run("pms5003 host", () -> valid, (b, o, l) -> switch (Pms5003Codec.decodeHost(b, o, l)) {
            case Pms5003Codec.Data x -> x.consumed();
            case Pms5003Codec.Ack x -> x.consumed();
            case Pms5003Codec.Skip x -> x.bytes();
            case Pms5003Codec.HostCommand x -> x.consumed();
            case Pms5003Codec.NeedMore x -> 0;
        });
    }

    /** A valid 32-byte data frame with random readings and the right checksum. */
    static byte[] pmsFrame(Random r) {
        byte[] f = new byte[Pms5003Codec.FRAME_LENGTH];
        f[0] = 0x42;
        f[1] = 0x4D;
        f[3] = 28;
        for (int i = 4; i < 30; i++) {
            f[i] = (byte) r.nextInt(256);
        }
        int sum = 0;
        for (int i = 0; i < 30; i++) {
            sum += f[i] & 0xFF;
        }
        f[30] = (byte) (sum >> 8);
        f[31] = (byte) sum;
        return f;
    }

    @Test
    void kerong_replies_and_host_commands() {
        List<byte[]> valid = List.of(KerongCodec.statusReply(new KerongCodec.BoardState(3, 0xA5A5, 0x0F0F)),
                KerongCodec.statusQuery(0), KerongCodec.unlock(15, 15));
        Decoder reply = (b, o, l) -> switch (KerongCodec.decodeReply(b, o, l)) {
            case KerongCodec.StatusReply x -> x.consumed();
            case KerongCodec.HostCommand x -> x.consumed();
            case KerongCodec.Skip x -> x.bytes();
            case KerongCodec.NeedMore x -> 0;
        };
        run("kerong reply", () -> valid, reply);
        run("kerong host", () -> valid, (b, o, l) -> switch (KerongCodec.decodeHost(b, o, l)) {
            case KerongCodec.StatusReply x -> x.consumed();
            case KerongCodec.HostCommand x -> x.consumed();
            case KerongCodec.Skip x -> x.bytes();
            case KerongCodec.NeedMore x -> 0;
        });
    }

    static List<byte[]> modbusFrames() {
        List<byte[]> valid = new ArrayList<>();
        valid.add(ModbusRtuCodec.encode(new ModbusResponse.Registers(1, 3, new int[] {1, 2, 3, 0xFFFF})));
        valid.add(ModbusRtuCodec.encode(new ModbusResponse.Registers(7, 4, new int[125])));
        valid.add(ModbusRtuCodec.encode(new ModbusResponse.Written(1, 6, 0x10, 0x1234)));
        valid.add(ModbusRtuCodec.encode(new ModbusResponse.Exception(2, 3, 2)));
        valid.add(ModbusRtuCodec.encode(new ModbusRequest(1, 3, 0, 10, null)));
        valid.add(ModbusRtuCodec.encode(ModbusRequest.writeMultiple(1, 0x20, new int[] {5, 6, 7})));
        return valid;
    }

    @Test
    void modbus_rtu_responses_exceptions_and_requests() {
        run("modbus response", DecoderFuzzTest::modbusFrames, (b, o, l) -> switch (ModbusRtuCodec.decodeResponse(b, o, l)) {
            case ModbusRtuCodec.ResponseFrame x -> x.consumed();
            case ModbusRtuCodec.RequestFrame x -> x.consumed();
            case ModbusRtuCodec.Corrupt x -> x.bytes();
            case ModbusRtuCodec.NeedMore x -> 0;
        });
        run("modbus request", DecoderFuzzTest::modbusFrames, (b, o, l) -> switch (ModbusRtuCodec.decodeRequest(b, o, l)) {
            case ModbusRtuCodec.ResponseFrame x -> x.consumed();
            case ModbusRtuCodec.RequestFrame x -> x.consumed();
            case ModbusRtuCodec.Corrupt x -> x.bytes();
            case ModbusRtuCodec.NeedMore x -> 0;
        });
    }

    @Test
    void dock_coil_echoes() {
        List<byte[]> valid = List.of(DockCoilCodec.writeCoil(1, 3, true), DockCoilCodec.writeCoil(9, 0x100, false),
                DockCoilCodec.exception(1, 2));
        run("dock coil", () -> valid, (b, o, l) -> switch (DockCoilCodec.decode(b, o, l)) {
            case DockCoilCodec.CoilFrame x -> x.consumed();
            case DockCoilCodec.Refused x -> x.consumed();
            case DockCoilCodec.IllegalValue x -> x.consumed();
            case DockCoilCodec.Corrupt x -> x.bytes();
            case DockCoilCodec.NeedMore x -> 0;
        });
    }

    @Test
    void dock_input_registers_decode_any_16_bit_values() {
        DockRegisterMap map = DockRegisterMap.v1(1);
        int n = map.inputs().count();
        Random r = new Random(SEED);
        assertTimeoutPreemptively(TIME_BOUND, () -> {
            for (int i = 0; i < BUDGET; i++) {
                int[] block = new int[n];
                for (int k = 0; k < n; k++) {
                    // Mostly edge values: 0, 1..4, 100, 101, 0x7FFF, 0x8000, 0xFFFF, then any.
                    int[] edges = {0, 1, 2, 3, 4, 100, 101, 750, 751, 0x7FFF, 0x8000, 0xFFFF};
                    block[k] = r.nextBoolean() ? edges[r.nextInt(edges.length)] : r.nextInt(0x10000);
                }
                DockInputs in;
                try {
                    in = map.decode(block);
                    assertNotNull(map.invalidValues(block));
                } catch (RuntimeException e) {
                    throw new AssertionError("dock decode threw on " + Arrays.toString(block), e);
                }
                assertTrue(in.coverPositionPct() >= 0 && in.coverPositionPct() <= 100, in.toString());
                assertTrue(in.rainfallLevel() >= 0 && in.rainfallLevel() <= 3, in.toString());
                assertTrue(in.droneBatteryPct() >= 0 && in.droneBatteryPct() <= 100, in.toString());
                assertNotNull(in.cover());
                assertNotNull(in.estop());
                assertNotNull(in.charger());
            }
        });
        // Documented: a short block is refused with IllegalArgumentException, nothing else.
        assertThrows(IllegalArgumentException.class, () -> map.decode(new int[n - 1]));
    }

    @Test
    void escpos_status_bytes_decode_or_are_refused_as_documented() {
        for (int p = 0; p < 256; p += 1) {
            for (int q : new int[] {0x12, 0x16, 0x1A, 0x32, 0x52, 0x72, 0x7E, 0x00, 0xFF, p}) {
                int[] bytes = {p, q, 0x12 | (p & 0x6C), 0x12 | (q & 0x6C)};
                boolean valid = true;
                for (int b : bytes) {
                    valid &= EscPosCodec.isStatusByte(b);
                }
                if (valid) {
                    PrinterState s = EscPosCodec.decodeStatus(bytes[0], bytes[1], bytes[2], bytes[3]);
                    assertNotNull(s);
                } else {
                    assertThrows(IllegalArgumentException.class,
                            () -> EscPosCodec.decodeStatus(bytes[0], bytes[1], bytes[2], bytes[3]));
                }
            }
        }
    }

    @Test
    void bme280_calibration_and_raw_never_throw_and_never_publish_a_non_finite_value() {
        Random r = new Random(SEED);
        assertTimeoutPreemptively(TIME_BOUND, () -> {
            for (int i = 0; i < BUDGET; i++) {
                byte[] b1 = random(r, Bme280Calibration.BLOCK1_LENGTH);
                byte[] b2 = random(r, Bme280Calibration.BLOCK2_LENGTH);
                if (r.nextInt(4) == 0) {
                    Arrays.fill(b1, (byte) (r.nextBoolean() ? 0 : 0xFF)); // erased or unread calibration
                }
                byte[] data = random(r, Bme280Codec.DATA_LENGTH);
                if (r.nextInt(4) == 0) {
                    data = Bme280Codec.encodeData(new Bme280Codec.Raw(Bme280Codec.SKIPPED_20BIT,
                            Bme280Codec.SKIPPED_20BIT, Bme280Codec.SKIPPED_16BIT));
                }
                Bme280Codec.Measurement m;
                try {
                    Bme280Calibration c = Bme280Calibration.parse(b1, b2);
                    m = Bme280Codec.measure(Bme280Codec.parseData(data), c);
                } catch (RuntimeException e) {
                    throw new AssertionError("bme280 threw on calibration " + HexFormat.of().formatHex(b1) + " "
                            + HexFormat.of().formatHex(b2) + " data " + HexFormat.of().formatHex(data), e);
                }
                m.metrics().forEach((k, v) -> assertTrue(Double.isFinite(v), k + " = " + v));
            }
        });
        // Documented: blocks of the wrong length are refused with IllegalArgumentException.
        assertThrows(IllegalArgumentException.class, () -> Bme280Calibration.parse(new byte[25], new byte[7]));
        assertThrows(IllegalArgumentException.class, () -> Bme280Codec.parseData(new byte[7]));
    }

    @Test
    void qr_lines_keep_bounded_memory_and_every_code_within_max_length() {
        Random r = new Random(SEED);
        int max = 64;
        for (QrScannerCodec.Terminator t : List.of(QrScannerCodec.Terminator.CR, QrScannerCodec.Terminator.CRLF,
                QrScannerCodec.Terminator.ANY)) {
            QrScannerCodec codec = new QrScannerCodec(t, max);
            List<byte[]> valid = List.of(QrScannerCodec.encode("483920", t), QrScannerCodec.encode("A".repeat(max), t),
                    "x".repeat(max + 1).getBytes(StandardCharsets.US_ASCII));
            long fed = 0;
            long accounted = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < BUDGET; i++) {
                byte[] in = input(r, valid);
                fed += in.length;
                int off = r.nextInt(8);
                byte[] buf = placed(r, in, off);
                for (QrScannerCodec.Decoded d : codec.feed(buf, off, in.length)) {
                    switch (d) {
                        case QrScannerCodec.Code c -> {
                            assertTrue(c.code().length() <= max, "code of " + c.code().length() + " > " + max);
                            accounted += c.code().length();
                        }
                        case QrScannerCodec.Overlong o -> {
                            assertTrue(o.bytes() > max, "overlong of " + o.bytes());
                            accounted += o.bytes();
                        }
                    }
                }
            }
            assertTrue(accounted <= fed, "more decoded than fed: " + accounted + " > " + fed);
            assertTrue(System.nanoTime() - t0 < TIME_BOUND.toNanos(), "QR budget took too long");
        }
    }
}
