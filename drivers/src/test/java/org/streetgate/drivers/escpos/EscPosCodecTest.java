package org.streetgate.drivers.escpos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Vectors;

/**
 * Against the test resource vectors/escpos.tsv: Epson ESC/POS reference, python-escpos (constants.py,
 * test_function_qr_native.py, test_function_image.py), node-escpos statuses.js, GB18030 tables.
 */
class EscPosCodecTest {
    private static final String FILE = "escpos.tsv";

    /** A row's frames: some rows list several, separated by " / ". */
    record Row(List<byte[]> frames, String meaning, String source) {
        byte[] bytes() {
            return frames.get(0);
        }
    }

    static List<Row> rows(String kind) throws IOException {
        List<Row> out = new ArrayList<>();
        for (String line : Vectors.lines(FILE)) {
            String[] cols = line.split("\t");
            if (!line.startsWith("#") && cols[0].equals(kind)) {
                List<byte[]> frames = new ArrayList<>();
                for (String f : cols[1].split("/")) {
                    frames.add(Vectors.hex(f));
                }
                out.add(new Row(frames, cols[2], cols[3]));
            }
        }
        return out;
    }

    static Row row(String kind) throws IOException {
        return rows(kind).get(0);
    }

    static List<EscPosCodec.Op> parseAll(byte[] stream) {
        List<EscPosCodec.Op> ops = new ArrayList<>();
        int off = 0;
        while (off < stream.length) {
            switch (EscPosCodec.decodeHost(stream, off, stream.length - off)) {
                case EscPosCodec.Parsed p -> {
                    ops.add(p.op());
                    off += p.consumed();
                }
                case EscPosCodec.Skip s -> throw new AssertionError("skipped: " + s.reason());
                case EscPosCodec.NeedMore n -> throw new AssertionError("incomplete stream at " + off);
            }
        }
        return ops;
    }

    @Test
    void init_and_cut_match_the_published_bytes() throws IOException {
        assertArrayEquals(row("init").bytes(), EscPosCodec.builder().init().bytes());
        assertArrayEquals(row("cut").bytes(), EscPosCodec.builder().cut().bytes());
    }

    @Test
    void qr_code_matches_python_escpos_defaults() throws IOException {
        // model 2, module size 3, error correction L, store "1234", print
        byte[] expected = row("qr").bytes();
        assertArrayEquals(expected, EscPosCodec.builder().qr("1234", 3, EscPosCodec.QrEc.L).bytes());
        List<EscPosCodec.Op> ops = parseAll(expected);
        assertEquals(new EscPosCodec.QrModel(2), ops.get(0));
        assertEquals(new EscPosCodec.QrModuleSize(3), ops.get(1));
        assertEquals(new EscPosCodec.QrErrorCorrection(EscPosCodec.QrEc.L), ops.get(2));
        assertEquals("1234", new String(assertInstanceOf(EscPosCodec.QrStore.class, ops.get(3)).data(),
                StandardCharsets.US_ASCII));
        assertEquals(new EscPosCodec.QrPrint(), ops.get(4));
        assertEquals(5, ops.size());
    }

    @Test
    void both_published_cut_encodings_parse_as_a_full_cut() throws IOException {
        assertEquals(List.of(new EscPosCodec.Cut(false)), parseAll(row("cut").bytes()));
        byte[] escposCoffee = {0x1D, 0x56, 0x30}; // GS V '0', the other form named in the vector row
        assertEquals(List.of(new EscPosCodec.Cut(false)), parseAll(escposCoffee));
    }

    @Test
    void raster_image_parses_to_its_one_black_pixel() throws IOException {
        var raster = assertInstanceOf(EscPosCodec.Raster.class, parseAll(row("raster").bytes()).get(0));
        assertEquals(1, raster.widthBytes());
        assertEquals(1, raster.height());
        assertArrayEquals(new byte[] {(byte) 0x80}, raster.data());
    }

    @Test
    void status_queries_are_dle_eot_1_to_4() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] f : row("status-query").frames()) {
            all.writeBytes(f);
        }
        assertArrayEquals(all.toByteArray(), EscPosCodec.statusQueries());
        assertArrayEquals(row("status-query").frames().get(1), EscPosCodec.statusQuery(2));
        assertEquals(List.of(new EscPosCodec.StatusQuery(1), new EscPosCodec.StatusQuery(2),
                new EscPosCodec.StatusQuery(3), new EscPosCodec.StatusQuery(4)), parseAll(all.toByteArray()));
    }

    @Test
    void all_well_status_means_ready() throws IOException {
        byte[] ok = row("status-ok").bytes(); // 12 12 12 12
        PrinterState s = EscPosCodec.decodeStatus(ok[0], ok[1], ok[2], ok[3]);
        assertEquals(PrinterState.READY, s);
        assertTrue(s.ready());
        assertNull(s.problem());
        for (int n = 1; n <= 4; n++) {
            assertEquals(0x12, EscPosCodec.statusByte(n, PrinterState.READY));
        }
    }

    @Test
    void paper_out_status_decodes_as_paper_end_and_offline() throws IOException {
        byte[] b = row("status-paper-out").bytes(); // replies to n=1, n=2, n=4
        PrinterState s = EscPosCodec.decodeStatus(b[0] & 0xFF, b[1] & 0xFF, 0x12, b[2] & 0xFF);
        assertTrue(s.paperEnd());
        assertTrue(s.paperNearEnd());
        assertTrue(s.offline());
        assertFalse(s.coverOpen());
        assertFalse(s.ready());
        assertEquals("paper out", s.problem());
        // The simulator answers the same bytes in the same state.
        assertEquals(b[0] & 0xFF, EscPosCodec.statusByte(1, s));
        assertEquals(b[1] & 0xFF, EscPosCodec.statusByte(2, s));
        assertEquals(b[2] & 0xFF, EscPosCodec.statusByte(4, s));
    }

    @Test
    void cover_open_status_decodes_from_the_offline_cause_byte() throws IOException {
        int coverByte = row("status-cover-open").bytes()[0] & 0xFF; // 16, n=2
        PrinterState s = EscPosCodec.decodeStatus(0x1A, coverByte, 0x12, 0x12);
        assertTrue(s.coverOpen());
        assertFalse(s.paperEnd());
        assertEquals("cover open", s.problem());
        assertEquals(coverByte, EscPosCodec.statusByte(2, s));
    }

    @Test
    void paper_near_end_alone_still_prints() {
        PrinterState s = EscPosCodec.decodeStatus(0x12, 0x12, 0x12, 0x1E);
        assertTrue(s.ready());
        assertTrue(s.paperNearEnd());
        assertEquals("paper low", s.problem());
    }

    @Test
    void bytes_that_cannot_be_status_are_rejected() {
        assertFalse(EscPosCodec.isStatusByte(0x00));
        assertFalse(EscPosCodec.isStatusByte(0x92));
        assertThrows(IllegalArgumentException.class, () -> EscPosCodec.decodeStatus(0x12, 0x12, 0xFF, 0x12));
    }

    @Test
    void chinese_text_is_encoded_as_gb18030() throws IOException {
        List<Row> rows = rows("text-gb18030");
        assertArrayEquals(rows.get(0).bytes(), EscPosCodec.builder().text("中文").bytes(), rows.get(0).meaning());
        assertArrayEquals(rows.get(1).bytes(), EscPosCodec.builder().text("取件码").bytes(), rows.get(1).meaning());
        assertEquals(List.of(new EscPosCodec.Text("取件码")), parseAll(rows.get(1).bytes()));
    }

    @Test
    void a_chinese_character_split_across_reads_waits_for_its_second_byte() throws IOException {
        byte[] b = row("text-gb18030").bytes(); // D6 D0 CE C4 "中文"
        assertInstanceOf(EscPosCodec.NeedMore.class, EscPosCodec.decodeHost(b, 0, 1));
        var p = assertInstanceOf(EscPosCodec.Parsed.class, EscPosCodec.decodeHost(b, 0, 3));
        assertEquals(new EscPosCodec.Text("中"), p.op());
        assertEquals(2, p.consumed());
    }

    @Test
    void control_characters_in_text_cannot_smuggle_commands() {
        byte[] b = EscPosCodec.builder().text("a\u001B@b\nc").bytes();
        assertArrayEquals("a @b c".getBytes(StandardCharsets.US_ASCII), b);
    }

    @Test
    void a_receipt_is_init_chinese_mode_styled_lines_qr_feed_and_cut() {
        Receipt r = new Receipt(List.of(
                Receipt.Line.of("取件码").withBold().withSize(2).withAlign(Receipt.Align.CENTER),
                Receipt.Line.of("123456")), "https://k.invalid/p/1", true);
        List<EscPosCodec.Op> ops = parseAll(EscPosCodec.receipt(r, true));
        assertEquals(new EscPosCodec.Init(), ops.get(0));
        assertEquals(new EscPosCodec.ChineseMode(true), ops.get(1));
        assertEquals(List.of(new EscPosCodec.Justify(Receipt.Align.CENTER), new EscPosCodec.Bold(true),
                new EscPosCodec.Size(2, 2), new EscPosCodec.Text("取件码"), new EscPosCodec.LineFeed()), ops.subList(2, 7));
        assertTrue(ops.contains(new EscPosCodec.Text("123456")));
        var store = ops.stream().filter(o -> o instanceof EscPosCodec.QrStore).map(o -> (EscPosCodec.QrStore) o)
                .findFirst().orElseThrow();
        assertEquals("https://k.invalid/p/1", new String(store.data(), StandardCharsets.UTF_8));
        assertTrue(ops.indexOf(new EscPosCodec.QrPrint()) > ops.indexOf(store));
        assertEquals(new EscPosCodec.Cut(false), ops.get(ops.size() - 1));
    }

    @Test
    void unknown_commands_are_skipped_and_known_ones_of_no_effect_are_consumed_whole() {
        byte[] b = {0x1B, 0x2D, 0x01, 0x1B, (byte) 0xEE, 0x41};
        var first = assertInstanceOf(EscPosCodec.Parsed.class, EscPosCodec.decodeHost(b, 0, b.length));
        assertEquals(3, first.consumed()); // ESC - 1: underline
        var skip = assertInstanceOf(EscPosCodec.Skip.class, EscPosCodec.decodeHost(b, 3, 3));
        assertEquals(2, skip.bytes());
        assertEquals(new EscPosCodec.Text("A"), ((EscPosCodec.Parsed) EscPosCodec.decodeHost(b, 5, 1)).op());
    }

    @Test
    void dle_eot_3_error_causes_decode_per_epsons_bits_and_the_simulator_side_sends_them() {
        // Epson ESC/POS reference, DLE EOT n=3: bit 3 auto-cutter error, bit 5 unrecoverable error,
        // bit 6 auto-recoverable error; bits 1 and 4 are always set. n=1 bit 3 offline, n=2 bit 6 error.
        // Made from that definition (escpos.tsv has no error replies).
        int[][] cases = {{0x1A, 0x52, 0x1A, 0x12}, {0x1A, 0x52, 0x32, 0x12}, {0x1A, 0x52, 0x52, 0x12}};
        String[] expected = {EscPosCodec.ERROR_CUTTER, EscPosCodec.ERROR_UNRECOVERABLE, EscPosCodec.ERROR_AUTO_RECOVERABLE};
        for (int i = 0; i < cases.length; i++) {
            int[] b = cases[i];
            PrinterState s = EscPosCodec.decodeStatus(b[0], b[1], b[2], b[3]);
            assertEquals(expected[i], s.error());
            assertTrue(s.offline() && !s.ready(), s.toString());
            assertEquals(expected[i], s.problem());
            for (int n = 1; n <= 4; n++) {
                assertEquals(b[n - 1], EscPosCodec.statusByte(n, s), "DLE EOT " + n + " for " + expected[i]);
            }
        }
        assertEquals("cutter error", EscPosCodec.ERROR_CUTTER);
        assertEquals(EscPosCodec.ERROR_OTHER, EscPosCodec.decodeStatus(0x1A, 0x52, 0x12, 0x12).error());
    }
}
