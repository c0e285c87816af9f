package org.streetgate.drivers.locker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Vectors;

/** Against the test resource vectors/kerong-cu16.tsv (frames from kerong-lib src/kerong_client.cpp and kerong_client.hpp). */
class KerongCodecTest {
    private static final String FILE = "kerong-cu16.tsv";

    /** One published frame. (Vectors.tsv cannot read this file: its status-reply row is a layout, not hex.) */
    record Row(byte[] bytes, String meaning, String source) {}

    static List<Row> rows(String kind) throws IOException {
        List<Row> out = new ArrayList<>();
        for (String line : Vectors.lines(FILE)) {
            String[] cols = line.split("\t");
            if (!line.startsWith("#") && cols[0].equals(kind)) {
                out.add(new Row(Vectors.hex(cols[1]), cols[2], cols[3]));
            }
        }
        return out;
    }

    @Test
    void unlock_frames_match_kerong_lib() throws IOException {
        var rows = rows("unlock");
        assertEquals(3, rows.size());
        assertArrayEquals(rows.get(0).bytes(), KerongCodec.unlock(0, 0), rows.get(0).meaning());
        assertArrayEquals(rows.get(1).bytes(), KerongCodec.unlock(0, 1), rows.get(1).meaning());
        assertArrayEquals(rows.get(2).bytes(), KerongCodec.unlock(1, 0), rows.get(2).meaning());
    }

    @Test
    void status_query_matches_kerong_lib() throws IOException {
        assertArrayEquals(rows("status-query").get(0).bytes(), KerongCodec.statusQuery(0));
    }

    @Test
    void a_board_reads_the_published_unlock_frame_as_board_1_lock_0() throws IOException {
        byte[] frame = rows("unlock").get(2).bytes(); // 02 10 31 03 46
        var c = assertInstanceOf(KerongCodec.HostCommand.class, KerongCodec.decodeHost(frame, 0, frame.length));
        assertEquals(1, c.board());
        assertEquals(0, c.lock());
        assertEquals(KerongCodec.CMD_UNLOCK, c.command());
        assertEquals(5, c.consumed());
    }

    @Test
    void status_reply_decodes_lock_and_infrared_bits() {
        // The layout of the status-reply row: 02 ADDR 35 L1-8 L9-16 IR1-8 IR9-16 03 SUM.
        byte[] reply = {
                0x02,              // STX
                0x20,              // ADDR: board 2, lock 0
                0x35,              // status reply
                (byte) 0xFE,       // hooks 1-8: lock 0 (door 1) released, 2-8 engaged
                (byte) 0x7F,       // hooks 9-16: lock 15 (door 16) released
                0x05,              // infrared 1-8: items in compartments 1 and 3
                (byte) 0x80,       // infrared 9-16: item in compartment 16
                0x03,              // ETX
                0x00};             // SUM, filled below
        int sum = 0;
        for (int i = 0; i < 8; i++) {
            sum += reply[i] & 0xFF;
        }
        reply[8] = (byte) sum;
        var r = assertInstanceOf(KerongCodec.StatusReply.class, KerongCodec.decodeReply(reply, 0, reply.length));
        var s = r.state();
        assertEquals(2, s.board());
        assertFalse(s.closed(0));
        assertTrue(s.closed(1));
        assertTrue(s.closed(14));
        assertFalse(s.closed(15));
        assertTrue(s.occupied(0));
        assertFalse(s.occupied(1));
        assertTrue(s.occupied(2));
        assertTrue(s.occupied(15));
        assertArrayEquals(reply, KerongCodec.statusReply(s), "encode is the inverse of decode");
    }

    @Test
    void reply_with_a_bad_checksum_is_skipped_with_the_reason() {
        byte[] reply = KerongCodec.statusReply(new KerongCodec.BoardState(0, 0xFFFF, 0));
        reply[8] ^= 0x01;
        var s = assertInstanceOf(KerongCodec.Skip.class, KerongCodec.decodeReply(reply, 0, reply.length));
        assertEquals(1, s.bytes());
        assertTrue(s.reason().startsWith("checksum"), s.reason());
    }

    @Test
    void garbage_before_a_reply_is_skipped_then_the_reply_decodes() {
        byte[] good = KerongCodec.statusReply(new KerongCodec.BoardState(1, 0x00FF, 0x0001));
        byte[] noisy = new byte[good.length + 4];
        noisy[0] = 0x55;
        noisy[1] = 0x02; // a stray STX
        noisy[2] = 0x13;
        noisy[3] = 0x00;
        System.arraycopy(good, 0, noisy, 4, good.length);
        int off = 0;
        KerongCodec.Decoded d;
        while ((d = KerongCodec.decodeReply(noisy, off, noisy.length - off)) instanceof KerongCodec.Skip s) {
            off += s.bytes();
        }
        assertEquals(4, off);
        assertEquals(0x00FF, assertInstanceOf(KerongCodec.StatusReply.class, d).state().hooks());
    }

    @Test
    void partial_reply_waits_for_more_bytes() {
        byte[] good = KerongCodec.statusReply(new KerongCodec.BoardState(0, 0, 0));
        assertInstanceOf(KerongCodec.NeedMore.class, KerongCodec.decodeReply(good, 0, 6));
        assertInstanceOf(KerongCodec.NeedMore.class, KerongCodec.decodeHost(KerongCodec.statusQuery(3), 0, 4));
    }

    @Test
    void board_and_lock_outside_the_address_byte_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> KerongCodec.unlock(16, 0));
        assertThrows(IllegalArgumentException.class, () -> KerongCodec.unlock(0, 16));
    }

    @Test
    void doors_are_numbered_across_boards_in_listed_order() {
        KerongConfig cfg = KerongConfig.defaults(List.of(3, 0));
        assertEquals(32, cfg.doors());
        assertEquals(3, cfg.boardOf(1));
        assertEquals(0, cfg.lockOf(1));
        assertEquals(3, cfg.boardOf(16));
        assertEquals(15, cfg.lockOf(16));
        assertEquals(0, cfg.boardOf(17));
        assertEquals(0, cfg.lockOf(17));
        assertEquals(17, cfg.door(1, 0));
    }
}
