package org.streetgate.drivers.pms5003;

/**
 * The Plantower PMS5003 wire protocol, both directions, without I/O.
 *
 * <p>Sensor to host: {@code 42 4D}, a 16-bit length (28 for a measurement, 4 for a command
 * acknowledgement), the data words, and a 16-bit checksum that is the sum of every byte before it.
 * Host to sensor: {@code 42 4D CMD DATA_H DATA_L CHK_H CHK_L}.
 */
public final class Pms5003Codec {
    public static final int FRAME_LENGTH = 32;
    public static final int ACK_LENGTH = 8;
    public static final int COMMAND_LENGTH = 7;

    public static final int CMD_READ = 0xE2;
    public static final int CMD_MODE = 0xE1;
    public static final int CMD_SLEEP = 0xE4;

    private Pms5003Codec() {}

    /** What the start of a buffer holds. */
    public sealed interface Decoded {}

    /** A measurement frame of {@code consumed} bytes. */
    public record Data(Pms5003Frame frame, int consumed) implements Decoded {}

    /** An acknowledgement of a mode or sleep command. */
    public record Ack(int command, int data, int consumed) implements Decoded {}

    /** The buffer starts a frame that has not fully arrived. */
    public record NeedMore() implements Decoded {}

    /** The first {@code bytes} bytes are not a valid frame and must be dropped to resynchronise. */
    public record Skip(int bytes, String reason) implements Decoded {}

    /** Decodes what the sensor sent, starting at {@code off}. */
    public static Decoded decodeSensor(byte[] buf, int off, int len) {
        int start = findStart(buf, off, len);
        if (start > off) {
            return new Skip(start - off, "garbage before frame start");
        }
        if (len < 4) {
            return new NeedMore();
        }
        int length = u16(buf, off + 2);
        if (length != 28 && length != 4) {
            return new Skip(1, "unexpected frame length " + length);
        }
        int total = 4 + length;
        if (len < total) {
            return new NeedMore();
        }
        int expected = u16(buf, off + total - 2);
        int actual = sum(buf, off, total - 2);
        if (expected != actual) {
            // Skip only the start bytes: a real frame may begin inside the bad one.
            return new Skip(2, "checksum " + expected + " != " + actual);
        }
        if (length == 4) {
            return new Ack(buf[off + 4] & 0xFF, buf[off + 5] & 0xFF, total);
        }
        int p = off + 4;
        return new Data(new Pms5003Frame(
                u16(buf, p), u16(buf, p + 2), u16(buf, p + 4),
                u16(buf, p + 6), u16(buf, p + 8), u16(buf, p + 10),
                u16(buf, p + 12), u16(buf, p + 14), u16(buf, p + 16), u16(buf, p + 18), u16(buf, p + 20),
                u16(buf, p + 22), buf[p + 24] & 0xFF, buf[p + 25] & 0xFF), total);
    }

    /** A host command as the sensor sees it. */
    public record HostCommand(int command, int data, int consumed) implements Decoded {}

    /** Decodes what the host sent (the simulator's side). */
    public static Decoded decodeHost(byte[] buf, int off, int len) {
        int start = findStart(buf, off, len);
        if (start > off) {
            return new Skip(start - off, "garbage before command start");
        }
        if (len < COMMAND_LENGTH) {
            return new NeedMore();
        }
        int expected = u16(buf, off + 5);
        int actual = sum(buf, off, 5);
        if (expected != actual) {
            return new Skip(2, "checksum " + expected + " != " + actual);
        }
        return new HostCommand(buf[off + 2] & 0xFF, u16(buf, off + 3), COMMAND_LENGTH);
    }

    public static byte[] command(int command, int data) {
        byte[] b = {0x42, 0x4D, (byte) command, (byte) (data >> 8), (byte) data, 0, 0};
        putU16(b, 5, sum(b, 0, 5));
        return b;
    }

    public static byte[] passiveMode() {
        return command(CMD_MODE, 0);
    }

    public static byte[] activeMode() {
        return command(CMD_MODE, 1);
    }

    public static byte[] read() {
        return command(CMD_READ, 0);
    }

    public static byte[] sleep() {
        return command(CMD_SLEEP, 0);
    }

    public static byte[] wake() {
        return command(CMD_SLEEP, 1);
    }

    /** The acknowledgement the sensor sends for a mode or sleep command. */
    public static byte[] ack(int command, int data) {
        byte[] b = {0x42, 0x4D, 0x00, 0x04, (byte) command, (byte) data, 0, 0};
        putU16(b, 6, sum(b, 0, 6));
        return b;
    }

    public static byte[] encode(Pms5003Frame f) {
        byte[] b = new byte[FRAME_LENGTH];
        b[0] = 0x42;
        b[1] = 0x4D;
        putU16(b, 2, 28);
        int[] words = {f.pm1Cf1(), f.pm25Cf1(), f.pm10Cf1(), f.pm1Atm(), f.pm25Atm(), f.pm10Atm(),
                f.over0_3um(), f.over0_5um(), f.over1_0um(), f.over2_5um(), f.over5_0um(), f.over10um()};
        for (int i = 0; i < words.length; i++) {
            putU16(b, 4 + 2 * i, words[i]);
        }
        b[28] = (byte) f.version();
        b[29] = (byte) f.errorCode();
        putU16(b, 30, sum(b, 0, 30));
        return b;
    }

    private static int findStart(byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (buf[i] == 0x42 && (i + 1 == off + len || buf[i + 1] == 0x4D)) {
                return i;
            }
        }
        return off + len;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static void putU16(byte[] b, int i, int v) {
        b[i] = (byte) (v >> 8);
        b[i + 1] = (byte) v;
    }

    private static int sum(byte[] b, int off, int len) {
        int s = 0;
        for (int i = off; i < off + len; i++) {
            s += b[i] & 0xFF;
        }
        return s & 0xFFFF;
    }
}
