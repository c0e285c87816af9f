package org.streetgate.drivers.locker;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * KR-CU16 boards daisy-chained on one RS-485 line, in software. Every board hears every frame and
 * only the addressed one acts: an unlock releases the hook and the door springs open; a status query
 * gets the 9-byte reply. Doors are numbered 1..N across the boards, as the driver numbers them.
 *
 * <p>The control surface plays the people and the faults: {@link #closeDoor} (someone shuts it),
 * {@link #forceOpen} (someone pries it open), {@link #jam} (the lock releases but the door stays
 * shut), {@link #silence} (a board stops answering) and {@link #corruptChecksums}.
 */
public final class KerongSimulator implements SerialSimulator {
    private final List<Integer> boards;
    private final int doorsPerBoard;
    private final boolean[] open;
    private final boolean[] occupied;
    private final boolean[] jammed;
    private final long[] openedAtNanos;
    private final int[] unlocks;
    private final Set<Integer> silent = new HashSet<>();
    private boolean corrupt;
    private Duration autoClose;
    private long queries;
    private KerongConfig.DoorSensor doorSensor = KerongConfig.DoorSensor.CLOSED_WHEN_SET;

    public KerongSimulator(List<Integer> boards, int doorsPerBoard) {
        this.boards = List.copyOf(boards);
        this.doorsPerBoard = doorsPerBoard;
        int n = boards.size() * doorsPerBoard;
        open = new boolean[n + 1];
        occupied = new boolean[n + 1];
        jammed = new boolean[n + 1];
        openedAtNanos = new long[n + 1];
        unlocks = new int[n + 1];
    }

    public KerongSimulator(KerongConfig config) {
        this(config.boards(), config.doorsPerBoard());
        autoClose = config.simAutoClose();
        doorSensor = config.doorSensor();
    }

    public int doors() {
        return open.length - 1;
    }

    /** A person shuts door {@code n}; the hook engages. */
    public synchronized void closeDoor(int n) {
        open[check(n)] = false;
    }

    /** Door {@code n} opens without an unlock: pried open, or a faulty lock. */
    public synchronized void forceOpen(int n) {
        setOpen(check(n));
    }

    /** While jammed, an unlock releases nothing and the door stays shut. */
    public synchronized void jam(int n, boolean jam) {
        jammed[check(n)] = jam;
    }

    /** Puts something in (or takes it out of) compartment {@code n}: its infrared bit. */
    public synchronized void occupy(int n, boolean present) {
        occupied[check(n)] = present;
    }

    /** A silent board hears frames but never answers (powered off, cable cut after the previous board). */
    public synchronized void silence(int board, boolean silence) {
        if (silence) {
            silent.add(board);
        } else {
            silent.remove(board);
        }
    }

    /** Replies go out with a wrong checksum, as with noise on a long RS-485 run. */
    public synchronized void corruptChecksums(boolean corrupt) {
        this.corrupt = corrupt;
    }

    /** Doors close by themselves this long after opening (null: never). */
    public synchronized void autoClose(Duration after) {
        autoClose = after;
    }

    /** The polarity of this line's hook bits, as a real board's sensor wiring fixes it. */
    public synchronized KerongSimulator doorSensor(KerongConfig.DoorSensor d) {
        doorSensor = d;
        return this;
    }

    public synchronized boolean isOpen(int n) {
        return open[check(n)];
    }

    public synchronized int unlocks(int n) {
        return unlocks[check(n)];
    }

    public synchronized long queries() {
        return queries;
    }

    @Override
    public void serve(SerialLink link) throws IOException {
        ReceiveBuffer rx = new ReceiveBuffer(64);
        while (!Thread.currentThread().isInterrupted()) {
            rx.fill(link, Duration.ofMillis(20));
            tickAutoClose();
            handleFrames(rx, link);
        }
    }

    private void handleFrames(ReceiveBuffer rx, SerialLink link) throws IOException {
        while (rx.size() > 0) {
            switch (KerongCodec.decodeHost(rx.array(), 0, rx.size())) {
                case KerongCodec.NeedMore n -> {
                    return;
                }
                case KerongCodec.Skip s -> rx.consume(s.bytes());
                case KerongCodec.HostCommand c -> {
                    rx.consume(c.consumed());
                    byte[] reply = handle(c);
                    if (reply != null) {
                        link.write(reply);
                    }
                }
                case KerongCodec.StatusReply r -> rx.consume(r.consumed()); // another board's reply: not for us
            }
        }
    }

    private synchronized byte[] handle(KerongCodec.HostCommand c) {
        int index = boards.indexOf(c.board());
        if (index < 0) {
            return null; // no board with that address on this line
        }
        switch (c.command()) {
            case KerongCodec.CMD_UNLOCK -> {
                if (c.lock() < doorsPerBoard) {
                    int door = index * doorsPerBoard + c.lock() + 1;
                    unlocks[door]++;
                    if (!jammed[door]) {
                        setOpen(door);
                    }
                }
                return null; // the board never answers an unlock
            }
            case KerongCodec.CMD_STATUS -> {
                queries++;
                if (silent.contains(c.board())) {
                    return null;
                }
                int hooks = 0;
                int ir = 0;
                for (int lock = 0; lock < KerongCodec.LOCKS_PER_BOARD; lock++) {
                    // Unwired locks read as engaged, like a board with nothing on the connector.
                    boolean doorOpen = lock < doorsPerBoard && open[index * doorsPerBoard + lock + 1];
                    boolean item = lock < doorsPerBoard && occupied[index * doorsPerBoard + lock + 1];
                    hooks |= (doorSensor.bit(doorOpen) ? 1 : 0) << lock;
                    ir |= (item ? 1 : 0) << lock;
                }
                byte[] reply = KerongCodec.statusReply(new KerongCodec.BoardState(c.board(), hooks, ir));
                if (corrupt) {
                    reply[8] ^= 0x5A;
                }
                return reply;
            }
            default -> {
                return null; // other commands (unlock all, timing) are not modelled
            }
        }
    }

    private synchronized void tickAutoClose() {
        if (autoClose == null) {
            return;
        }
        long now = System.nanoTime();
        for (int d = 1; d < open.length; d++) {
            if (open[d] && now - openedAtNanos[d] >= autoClose.toNanos()) {
                open[d] = false;
            }
        }
    }

    private void setOpen(int door) {
        if (!open[door]) {
            open[door] = true;
            openedAtNanos[door] = System.nanoTime();
        }
    }

    private int check(int n) {
        if (n < 1 || n >= open.length) {
            throw new IllegalArgumentException("door must be 1.." + (open.length - 1) + ", not " + n);
        }
        return n;
    }
}
