package org.streetgate.drivers.hil;

import java.io.IOException;
import java.time.Duration;
import org.streetgate.drivers.locker.KerongCodec;
import org.streetgate.drivers.locker.KerongConfig;
import org.streetgate.drivers.transport.JSerialCommLink;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSettings;

/**
 * What a locker rig checks, shared by the {@code hil} test (a real KR-CU16) and its dry run (the
 * simulator on a pty): which door-sensor polarity the board uses. With the door shut, read its hook
 * bit; unlock it (the door springs open) and read until the bit flips. The bit of the shut door
 * tells: set means {@code closed-when-set}, clear means {@code open-when-set}.
 */
final class LockerChecks {
    private static final Duration REPLY = Duration.ofMillis(500);
    private static final Duration OPENS_WITHIN = Duration.ofSeconds(3);

    private LockerChecks() {}

    /** @param lock 0..15 on {@code board}; its door must be shut when the check starts */
    static KerongConfig.DoorSensor doorSensor(String port, int baud, int board, int lock) throws Exception {
        try (JSerialCommLink link = JSerialCommLink.open(SerialSettings.of(port, baud))) {
            boolean shutBit = status(link, board).hookBit(lock);
            link.write(KerongCodec.unlock(board, lock));
            long deadline = System.nanoTime() + OPENS_WITHIN.toNanos();
            while (System.nanoTime() < deadline) {
                if (status(link, board).hookBit(lock) != shutBit) {
                    return shutBit ? KerongConfig.DoorSensor.CLOSED_WHEN_SET : KerongConfig.DoorSensor.OPEN_WHEN_SET;
                }
            }
            throw new AssertionError("the hook bit of board " + board + " lock " + lock + " did not change within "
                    + OPENS_WITHIN.toSeconds() + " s of an unlock: was the door shut, is its lock wired to that"
                    + " connector, and does the door spring open?");
        }
    }

    /** One status query and its reply; fails naming the board when it does not answer. */
    private static KerongCodec.BoardState status(SerialLink link, int board) throws IOException {
        link.discardInput();
        link.write(KerongCodec.statusQuery(board));
        ReceiveBuffer rx = new ReceiveBuffer(64);
        long deadline = System.nanoTime() + REPLY.toNanos();
        while (true) {
            switch (KerongCodec.decodeReply(rx.array(), 0, rx.size())) {
                case KerongCodec.StatusReply r -> {
                    rx.consume(r.consumed());
                    if (r.state().board() == board) {
                        return r.state();
                    }
                }
                case KerongCodec.Skip s -> rx.consume(s.bytes());
                case KerongCodec.HostCommand h -> rx.consume(h.consumed()); // another host's frame on the line
                case KerongCodec.NeedMore n -> {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("lock board " + board + " did not answer a status query within "
                                + REPLY.toMillis() + " ms (address DIP switch, baud, A/B wiring?)");
                    }
                    rx.fill(link, Duration.ofNanos(left));
                }
            }
        }
    }
}
