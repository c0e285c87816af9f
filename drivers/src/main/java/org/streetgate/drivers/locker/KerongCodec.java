package org.streetgate.drivers.locker;

/**
 * The Kerong KR-CU16 lock-board protocol, both directions, without I/O.
 *
 * <p>Every frame is {@code STX(02) ADDR CMD ETX(03) SUM}, where {@code SUM} is the low byte of the
 * sum of the bytes before it and {@code ADDR = (board << 4) | lock}. The host sends {@code 0x31} to
 * release one lock (no reply) and {@code 0x30} to ask a board for its state; the board answers
 * {@code 02 ADDR 35 L1-8 L9-16 IR1-8 IR9-16 03 SUM}: one bit per lock hook (set = hook engaged, the
 * door shut) and one bit per infrared sensor (set = something in the compartment).
 */
public final class KerongCodec {
    public static final int STX = 0x02;
    public static final int ETX = 0x03;
    public static final int CMD_STATUS = 0x30;
    public static final int CMD_UNLOCK = 0x31;
    public static final int REPLY_STATUS = 0x35;
    public static final int COMMAND_LENGTH = 5;
    public static final int REPLY_LENGTH = 9;
    public static final int MAX_BOARD = 15;
    public static final int LOCKS_PER_BOARD = 16;

    private KerongCodec() {}

    /** What the start of a buffer holds. */
    public sealed interface Decoded {}

    /** A board's answer to a status query. */
    public record StatusReply(BoardState state, int consumed) implements Decoded {}

    /** A host frame as a board sees it. */
    public record HostCommand(int board, int lock, int command, int consumed) implements Decoded {}

    /** The buffer starts a frame that has not fully arrived. */
    public record NeedMore() implements Decoded {}

    /** The first {@code bytes} bytes are not a valid frame and must be dropped to resynchronise. */
    public record Skip(int bytes, String reason) implements Decoded {}

    /**
     * One board's 16 lock hooks and 16 infrared sensors; bit {@code i} is lock {@code i} (door
     * {@code i + 1} of the board).
     */
    public record BoardState(int board, int hooks, int infrared) {
        public BoardState {
            checkBoard(board);
            hooks &= 0xFFFF;
            infrared &= 0xFFFF;
        }

        /** The lock's hook (door) bit as sent; what it means depends on the board ({@link KerongConfig.DoorSensor}). */
        public boolean hookBit(int lock) {
            return (hooks >> lock & 1) == 1;
        }

        /** The hook is engaged (door shut and locked), with kerong-lib's polarity: bit set. */
        public boolean closed(int lock) {
            return hookBit(lock);
        }

        public boolean occupied(int lock) {
            return (infrared >> lock & 1) == 1;
        }
    }

    public static int address(int board, int lock) {
        checkBoard(board);
        if (lock < 0 || lock >= LOCKS_PER_BOARD) {
            throw new IllegalArgumentException("lock must be 0..15, not " + lock);
        }
        return board << 4 | lock;
    }

    public static byte[] unlock(int board, int lock) {
        return frame(address(board, lock), CMD_UNLOCK);
    }

    public static byte[] statusQuery(int board) {
        return frame(address(board, 0), CMD_STATUS);
    }

    /** The reply a board sends to a status query (the simulator's side). */
    public static byte[] statusReply(BoardState s) {
        byte[] b = {
                STX,
                (byte) (s.board() << 4),
                REPLY_STATUS,
                (byte) s.hooks(), (byte) (s.hooks() >> 8),
                (byte) s.infrared(), (byte) (s.infrared() >> 8),
                ETX,
                0};
        b[8] = sum(b, 0, 8);
        return b;
    }

    /** Decodes what a board sent, starting at {@code off}. */
    public static Decoded decodeReply(byte[] buf, int off, int len) {
        int start = findStx(buf, off, len);
        if (start > off) {
            return new Skip(start - off, "garbage before frame start");
        }
        if (len < REPLY_LENGTH) {
            return new NeedMore();
        }
        if ((buf[off + 2] & 0xFF) != REPLY_STATUS || buf[off + 7] != ETX) {
            // Skip only the STX: a real frame may begin inside this one.
            return new Skip(1, "not a status reply");
        }
        int expected = buf[off + 8] & 0xFF;
        int actual = sum(buf, off, 8) & 0xFF;
        if (expected != actual) {
            return new Skip(1, "checksum " + expected + " != " + actual);
        }
        int board = (buf[off + 1] & 0xFF) >> 4;
        int hooks = (buf[off + 3] & 0xFF) | (buf[off + 4] & 0xFF) << 8;
        int ir = (buf[off + 5] & 0xFF) | (buf[off + 6] & 0xFF) << 8;
        return new StatusReply(new BoardState(board, hooks, ir), REPLY_LENGTH);
    }

    /** Decodes what the host sent (the simulator's side). */
    public static Decoded decodeHost(byte[] buf, int off, int len) {
        int start = findStx(buf, off, len);
        if (start > off) {
            return new Skip(start - off, "garbage before frame start");
        }
        if (len < COMMAND_LENGTH) {
            return new NeedMore();
        }
        if (buf[off + 3] != ETX) {
            return new Skip(1, "no ETX");
        }
        int expected = buf[off + 4] & 0xFF;
        int actual = sum(buf, off, 4) & 0xFF;
        if (expected != actual) {
            return new Skip(1, "checksum " + expected + " != " + actual);
        }
        int addr = buf[off + 1] & 0xFF;
        return new HostCommand(addr >> 4, addr & 0x0F, buf[off + 2] & 0xFF, COMMAND_LENGTH);
    }

    private static byte[] frame(int addr, int cmd) {
        byte[] b = {STX, (byte) addr, (byte) cmd, ETX, 0};
        b[4] = sum(b, 0, 4);
        return b;
    }

    private static void checkBoard(int board) {
        if (board < 0 || board > MAX_BOARD) {
            throw new IllegalArgumentException("board address must be 0..15, not " + board);
        }
    }

    private static int findStx(byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (buf[i] == STX) {
                return i;
            }
        }
        return off + len;
    }

    private static byte sum(byte[] b, int off, int len) {
        int s = 0;
        for (int i = off; i < off + len; i++) {
            s += b[i] & 0xFF;
        }
        return (byte) s;
    }
}
