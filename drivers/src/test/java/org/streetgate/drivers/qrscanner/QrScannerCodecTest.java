package org.streetgate.drivers.qrscanner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.qrscanner.QrScannerCodec.Code;
import org.streetgate.drivers.qrscanner.QrScannerCodec.Decoded;
import org.streetgate.drivers.qrscanner.QrScannerCodec.Overlong;
import org.streetgate.drivers.qrscanner.QrScannerCodec.Terminator;

class QrScannerCodecTest {
    private static List<Decoded> feed(QrScannerCodec codec, String... chunks) {
        List<Decoded> out = new ArrayList<>();
        for (String c : chunks) {
            byte[] b = c.getBytes(StandardCharsets.UTF_8);
            out.addAll(codec.feed(b, 0, b.length));
        }
        return out;
    }

    @Test
    void cr_terminated_codes_split_even_across_reads() {
        QrScannerCodec c = new QrScannerCodec(Terminator.CR, 64);
        assertEquals(List.of(new Code("483920"), new Code("https://k.invalid/p?x=1")),
                feed(c, "4839", "20\rhttps://k.inv", "alid/p?x=1\r", "12"));
        assertEquals(List.of(new Code("12")), feed(c, "\r"));
    }

    @Test
    void lf_and_crlf_terminators_leave_no_stray_line_ending_in_codes() {
        assertEquals(List.of(new Code("A1"), new Code("B2")), feed(new QrScannerCodec(Terminator.LF, 64), "A1\nB2\n"));
        assertEquals(List.of(new Code("A1"), new Code("B2")),
                feed(new QrScannerCodec(Terminator.CRLF, 64), "A1\r", "\nB2\r\n"));
        // A scanner sending CR LF to a profile that says CR: the LF is noise, not the start of the next code.
        assertEquals(List.of(new Code("A1"), new Code("B2")), feed(new QrScannerCodec(Terminator.CR, 64), "A1\r\nB2\r\n"));
    }

    @Test
    void a_single_byte_terminator_such_as_tab() {
        QrScannerCodec c = new QrScannerCodec(Terminator.parse("tab"), 64);
        assertEquals(List.of(new Code("X-1"), new Code("Y\r2")), feed(c, "X-1\tY\r2\t"));
        QrScannerCodec etx = new QrScannerCodec(Terminator.parse("0x03"), 64);
        assertEquals(List.of(new Code("job-42")), feed(etx, "job-42\u0003"));
    }

    @Test
    void an_overlong_code_is_dropped_whole_and_the_next_one_reads_fine() {
        QrScannerCodec c = new QrScannerCodec(Terminator.CR, 8);
        assertEquals(List.of(new Overlong(12), new Code("12345678")), feed(c, "123456789012\r", "12345678\r"));
    }

    @Test
    void utf8_codes_keep_their_characters() {
        assertEquals(List.of(new Code("取件-1")), feed(new QrScannerCodec(Terminator.CR, 64), "取件-1\r"));
    }

    @Test
    void terminator_names_parse_and_nonsense_does_not() {
        assertEquals(Terminator.ANY, Terminator.parse("any"));
        assertEquals("any (CR, LF or CR LF)", Terminator.ANY.toString());
        assertEquals(Terminator.CR, Terminator.parse("CR"));
        assertEquals(Terminator.CRLF, Terminator.parse("crlf"));
        assertArrayEquals(new byte[] {0x0A}, Terminator.parse("lf").bytes());
        assertEquals("0x09", Terminator.parse("tab").toString());
        assertNull(Terminator.parse("semicolon"));
        assertNull(Terminator.parse("0x123"));
    }

    @Test
    void the_simulator_side_appends_the_terminator() {
        assertArrayEquals("AB\r\n".getBytes(StandardCharsets.US_ASCII), QrScannerCodec.encode("AB", Terminator.CRLF));
    }

    @Test
    void any_takes_cr_lf_or_cr_lf_and_a_cr_lf_is_one_code_not_a_code_and_an_empty_one() {
        QrScannerCodec c = new QrScannerCodec(Terminator.ANY, 64);
        assertEquals(List.of(new Code("A1"), new Code("B2"), new Code("C3"), new Code("D4")),
                feed(c, "A1\r", "B2\n", "C3\r\n", "D4\r", "\n"));
        assertEquals(List.of(), feed(c, "\r\n\r\n\n\r"), "empty lines are nothing");
        assertEquals(List.of(new Code("E5")), feed(c, "\nE5\r\n"));
    }

    @Test
    void a_profile_that_says_cr_misses_codes_from_an_lf_scanner_but_any_does_not() {
        // Why any is the default: with cr, an LF is taken for a stray line ending and codes never end.
        assertEquals(List.of(), feed(new QrScannerCodec(Terminator.CR, 64), "A1\nB2\n"));
        assertEquals(List.of(new Code("A1"), new Code("B2")), feed(new QrScannerCodec(Terminator.ANY, 64), "A1\nB2\n"));
    }

    @Test
    void a_huge_line_is_counted_to_its_terminator_without_storing_it_and_the_count_keeps_going() {
        QrScannerCodec c = new QrScannerCodec(Terminator.ANY, QrScannerCodec.DEFAULT_MAX_LENGTH);
        byte[] mib = new byte[1 << 20];
        java.util.Arrays.fill(mib, (byte) 'x');
        List<Decoded> out = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            out.addAll(c.feed(mib, 0, mib.length));
        }
        out.addAll(c.feed("\r\nOK\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 6));
        assertEquals(List.of(new Overlong(64L << 20), new Code("OK")), out);
        // The limit itself: 4096 bytes pass, 4097 do not.
        String max = "q".repeat(4096);
        assertEquals(List.of(new Code(max), new Overlong(4097)), feed(c, max + "\n", max + "q\n"));
    }
}
