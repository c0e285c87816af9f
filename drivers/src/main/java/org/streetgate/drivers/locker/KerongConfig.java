package org.streetgate.drivers.locker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.streetgate.drivers.config.ConfigReader;

/**
 * One {@code locker-board} device: all KR-CU16 boards daisy-chained on one RS-485 port. Doors are
 * numbered 1..N across the boards in the order listed: with {@code boards: [0, 1]} and 16 doors per
 * board, door 17 is lock 0 of board 1.
 *
 * @param boards          board addresses (the board's DIP switch, 0..15), in door-numbering order
 * @param doorsPerBoard   locks wired on each board (1..16)
 * @param leftOpenAfter   a door open this long raises {@code locker.door-left-open}
 * @param unlockWindow    an opening this soon after an unlock command counts as commanded; later
 *                        openings without a command raise {@code locker.door-forced}
 * @param confirmTimeout  how long {@code open} keeps asking the board whether the door opened
 * @param replyTimeout    how long to wait for a board's status reply
 * @param retries         extra attempts when a board does not answer a status query
 * @param simAutoClose    simulated only: doors close by themselves after this long (null: never), so
 *                        a demo kiosk completes a pickup without anyone closing the door
 * @param doorSensor      what a set hook bit in the status reply means (profile key {@code door-sensor})
 */
public record KerongConfig(List<Integer> boards, int doorsPerBoard, Duration leftOpenAfter, Duration unlockWindow,
                           Duration confirmTimeout, Duration replyTimeout, int retries, Duration simAutoClose,
                           DoorSensor doorSensor) {
    /**
     * The polarity of the hook (door) bits in a board's status reply. {@code closed-when-set} (the
     * default) is what kerong-lib and the CartWise controller assume; boards wired with the other
     * sensor type, or another firmware, report {@code open-when-set}. The hil check
     * {@code LockerHilIT} tells which one a real board uses.
     */
    public enum DoorSensor {
        CLOSED_WHEN_SET("closed-when-set"),
        OPEN_WHEN_SET("open-when-set");

        private final String wire;

        DoorSensor(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** Whether a door reads open, given its hook bit. */
        public boolean open(boolean bitSet) {
            return switch (this) {
                case CLOSED_WHEN_SET -> !bitSet;
                case OPEN_WHEN_SET -> bitSet;
            };
        }

        /** The hook bit a board with this polarity sends for a door. */
        public boolean bit(boolean open) {
            return switch (this) {
                case CLOSED_WHEN_SET -> !open;
                case OPEN_WHEN_SET -> open;
            };
        }

        static DoorSensor parse(String wire) {
            return wire.equals(OPEN_WHEN_SET.wire) ? OPEN_WHEN_SET : CLOSED_WHEN_SET;
        }
    }

    /** With the documented default polarity, {@code closed-when-set}. */
    public KerongConfig(List<Integer> boards, int doorsPerBoard, Duration leftOpenAfter, Duration unlockWindow,
                        Duration confirmTimeout, Duration replyTimeout, int retries, Duration simAutoClose) {
        this(boards, doorsPerBoard, leftOpenAfter, unlockWindow, confirmTimeout, replyTimeout, retries, simAutoClose,
                DoorSensor.CLOSED_WHEN_SET);
    }

    public KerongConfig {
        if (doorSensor == null) {
            throw new IllegalArgumentException("door-sensor must be set");
        }
        boards = List.copyOf(boards);
        if (boards.isEmpty()) {
            throw new IllegalArgumentException("a locker needs at least one board");
        }
        if (boards.stream().distinct().count() != boards.size()) {
            throw new IllegalArgumentException("board addresses must differ: " + boards);
        }
        if (doorsPerBoard < 1 || doorsPerBoard > KerongCodec.LOCKS_PER_BOARD) {
            throw new IllegalArgumentException("doors-per-board must be 1..16, not " + doorsPerBoard);
        }
    }

    public static KerongConfig defaults(List<Integer> boards) {
        return new KerongConfig(boards, 16, Duration.ofMinutes(2), Duration.ofSeconds(10), Duration.ofSeconds(3),
                Duration.ofMillis(300), 1, null);
    }

    public int doors() {
        return boards.size() * doorsPerBoard;
    }

    /** The board address of door {@code door} (1-based). */
    public int boardOf(int door) {
        return boards.get((door - 1) / doorsPerBoard);
    }

    /** The lock index (0..15) of door {@code door} on its board. */
    public int lockOf(int door) {
        return (door - 1) % doorsPerBoard;
    }

    /** The door number of lock {@code lock} on the board at list position {@code boardIndex}. */
    public int door(int boardIndex, int lock) {
        return boardIndex * doorsPerBoard + lock + 1;
    }

    public KerongConfig withLeftOpenAfter(Duration d) {
        return new KerongConfig(boards, doorsPerBoard, d, unlockWindow, confirmTimeout, replyTimeout, retries,
                simAutoClose, doorSensor);
    }

    public KerongConfig withDoorSensor(DoorSensor d) {
        return new KerongConfig(boards, doorsPerBoard, leftOpenAfter, unlockWindow, confirmTimeout, replyTimeout,
                retries, simAutoClose, d);
    }

    /** Whether {@code lock}'s door reads open in {@code s}, with this board's polarity. */
    public boolean doorOpen(KerongCodec.BoardState s, int lock) {
        return doorSensor.open(s.hookBit(lock));
    }

    static KerongConfig read(ConfigReader r) {
        List<Integer> boards = new ArrayList<>();
        List<String> raw = r.stringList("boards");
        for (String s : raw) {
            Integer b = parseBoard(s);
            if (b == null) {
                r.error("boards", "'boards' entries must be board addresses 0..15, not '" + s + "'");
            } else if (boards.contains(b)) {
                r.error("boards", "board " + b + " is listed twice");
            } else {
                boards.add(b);
            }
        }
        if (raw.isEmpty()) {
            boards.add(0); // one board at address 0, the factory setting
        }
        if (boards.isEmpty()) {
            boards.add(0); // already reported; keep reading the other keys
        }
        int doorsPerBoard = r.integer("doors-per-board", 16, 1, 16);
        Duration leftOpen = r.duration("left-open-after", Duration.ofMinutes(2));
        Duration window = r.duration("unlock-window", Duration.ofSeconds(10));
        Duration confirm = r.duration("confirm-timeout", Duration.ofSeconds(3));
        Duration reply = r.duration("reply-timeout", Duration.ofMillis(300));
        int retries = r.integer("retries", 1, 0, 5);
        Duration autoClose = r.duration("sim-auto-close", null);
        DoorSensor sensor = DoorSensor.parse(r.oneOf("door-sensor", DoorSensor.CLOSED_WHEN_SET.wire(),
                List.of(DoorSensor.CLOSED_WHEN_SET.wire(), DoorSensor.OPEN_WHEN_SET.wire())));
        return new KerongConfig(boards, doorsPerBoard, leftOpen, window, confirm, reply, retries, autoClose, sensor);
    }

    private static Integer parseBoard(String s) {
        try {
            String t = s.trim();
            int v = t.startsWith("0x") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t);
            return v >= 0 && v <= KerongCodec.MAX_BOARD ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
