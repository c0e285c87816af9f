package org.streetgate.drivers.pms5003;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Vectors;

/** Against the test resource vectors/pms5003.tsv (frames from PyPMS's tests and pmsx003.py). */
class Pms5003CodecTest {
    private static final String FILE = "pms5003.tsv";

    @Test
    void published_frame_decodes_to_its_values() {
        byte[] bytes = Vectors.tsv(FILE).get(0).bytes();
        var d = assertInstanceOf(Pms5003Codec.Data.class, Pms5003Codec.decodeSensor(bytes, 0, bytes.length));
        Pms5003Frame f = d.frame();
        assertEquals(32, d.consumed());
        assertEquals(java.util.List.of(5, 13, 22), java.util.List.of(f.pm1Cf1(), f.pm25Cf1(), f.pm10Cf1()));
        assertEquals(java.util.List.of(5, 13, 22), java.util.List.of(f.pm1Atm(), f.pm25Atm(), f.pm10Atm()));
        assertEquals(java.util.List.of(765, 252, 29, 15, 6, 6), java.util.List.of(
                f.over0_3um(), f.over0_5um(), f.over1_0um(), f.over2_5um(), f.over5_0um(), f.over10um()));
        assertEquals(0x97, f.version());
        assertFalse(f.warmingUp());
        assertEquals(13.0, f.metrics().get("pm2_5_ug_m3"));
    }

    /**
     * A frame where the "CF=1" values differ from the atmospheric ones, as real sensors send above
     * about 30 µg/m³. Not among the published vectors (whose frames have equal sets); made from the
     * frame layout and checked with its own checksum.
     */
    private static final byte[] CF1_DIFFERS = {
        0x42, 0x4D,             // start 'B' 'M'
        0x00, 0x1C,             // length 28
        0x00, 0x2D,             // PM1.0  CF=1 45
        0x00, 0x47,             // PM2.5  CF=1 71
        0x00, 0x55,             // PM10   CF=1 85
        0x00, 0x1E,             // PM1.0  atmospheric 30
        0x00, 0x30,             // PM2.5  atmospheric 48
        0x00, 0x39,             // PM10   atmospheric 57
        0x1F, 0x40,             // > 0.3 um: 8000 per 0.1 L
        0x0A, 0x6A,             // > 0.5 um: 2666
        0x02, (byte) 0x9A,      // > 1.0 um: 666
        0x00, (byte) 0x85,      // > 2.5 um: 133
        0x00, 0x28,             // > 5.0 um: 40
        0x00, 0x10,             // > 10 um: 16
        (byte) 0x97, 0x00,      // version 0x97, error 0
        0x04, (byte) 0xBE,      // checksum 0x04BE: sum of the 30 bytes before it
    };

    @Test
    void the_atmospheric_values_are_published_not_the_cf1_ones() {
        var d = assertInstanceOf(Pms5003Codec.Data.class, Pms5003Codec.decodeSensor(CF1_DIFFERS, 0, CF1_DIFFERS.length));
        Pms5003Frame f = d.frame();
        assertEquals(java.util.List.of(45, 71, 85), java.util.List.of(f.pm1Cf1(), f.pm25Cf1(), f.pm10Cf1()));
        assertEquals(java.util.List.of(30, 48, 57), java.util.List.of(f.pm1Atm(), f.pm25Atm(), f.pm10Atm()));
        assertEquals(java.util.Map.of("pm1_0_ug_m3", 30.0, "pm2_5_ug_m3", 48.0, "pm10_ug_m3", 57.0), f.metrics());
        assertArrayEquals(CF1_DIFFERS, Pms5003Codec.encode(f), "encode is decode's inverse, field by field");
        assertEquals(java.util.Map.of(), f.invalid());
    }

    @Test
    void values_out_of_range_or_not_cumulative_are_invalid() {
        Pms5003Frame high = new Pms5003Frame(1500, 1500, 1500, 300, 1200, 1500, 9000, 3000, 900, 100, 20, 5, 0x97, 0);
        assertEquals(java.util.Map.of(
                "pm2_5_ug_m3", "1200 above the sensor's 1000 µg/m³ range",
                "pm10_ug_m3", "1500 above the sensor's 1000 µg/m³ range"), high.invalid());
        Pms5003Frame inverted = new Pms5003Frame(5, 13, 22, 22, 13, 5, 765, 252, 29, 15, 6, 6, 0x97, 0);
        assertEquals(3, inverted.invalid().size());
        assertEquals("PM1.0 <= PM2.5 <= PM10 does not hold (22, 13, 5)", inverted.invalid().get("pm2_5_ug_m3"));
        Pms5003Frame counts = new Pms5003Frame(5, 13, 22, 5, 13, 22, 765, 252, 29, 150, 6, 6, 0x97, 0);
        assertEquals("particle counts are not cumulative", counts.invalid().get("pm1_0_ug_m3"));
        byte[] published = Vectors.tsv(FILE).get(0).bytes(); // PyPMS test_sensor.py
        var d = assertInstanceOf(Pms5003Codec.Data.class, Pms5003Codec.decodeSensor(published, 0, published.length));
        assertEquals(java.util.Map.of(), d.frame().invalid());
    }

    @Test
    void all_zero_frame_is_warming_up() {
        byte[] bytes = Vectors.tsv(FILE).get(1).bytes();
        var d = assertInstanceOf(Pms5003Codec.Data.class, Pms5003Codec.decodeSensor(bytes, 0, bytes.length));
        assertTrue(d.frame().warmingUp());
    }

    @Test
    void bad_checksum_is_skipped_with_the_reason() {
        byte[] bytes = Vectors.first(FILE, "bad-checksum").bytes();
        var s = assertInstanceOf(Pms5003Codec.Skip.class, Pms5003Codec.decodeSensor(bytes, 0, bytes.length));
        assertEquals("checksum 0 != 965", s.reason());
    }

    @Test
    void short_frame_waits_for_more_bytes() {
        byte[] bytes = Vectors.first(FILE, "short").bytes();
        assertInstanceOf(Pms5003Codec.NeedMore.class, Pms5003Codec.decodeSensor(bytes, 0, bytes.length));
    }

    @Test
    void commands_match_published_bytes() {
        assertArrayEquals(Vectors.first(FILE, "cmd-passive").bytes(), Pms5003Codec.passiveMode());
        assertArrayEquals(Vectors.first(FILE, "cmd-active").bytes(), Pms5003Codec.activeMode());
        assertArrayEquals(Vectors.first(FILE, "cmd-read").bytes(), Pms5003Codec.read());
        assertArrayEquals(Vectors.first(FILE, "cmd-sleep").bytes(), Pms5003Codec.sleep());
        assertArrayEquals(Vectors.first(FILE, "cmd-wake").bytes(), Pms5003Codec.wake());
    }

    @Test
    void acknowledgements_match_published_bytes() {
        for (String kind : new String[] {"cmd-passive", "cmd-active", "cmd-sleep"}) {
            Vectors.Row row = Vectors.first(FILE, kind);
            byte[] ack = Vectors.hex(row.expected().substring("ack ".length()));
            var cmd = assertInstanceOf(Pms5003Codec.HostCommand.class,
                    Pms5003Codec.decodeHost(row.bytes(), 0, row.bytes().length));
            assertArrayEquals(ack, Pms5003Codec.ack(cmd.command(), cmd.data()), kind);
            var a = assertInstanceOf(Pms5003Codec.Ack.class, Pms5003Codec.decodeSensor(ack, 0, ack.length));
            assertEquals(cmd.command(), a.command());
        }
    }

    @Test
    void garbage_before_a_frame_is_skipped_then_the_frame_decodes() {
        byte[] frame = Vectors.tsv(FILE).get(0).bytes();
        byte[] noisy = new byte[frame.length + 5];
        byte[] junk = {0x00, 0x42, 0x13, (byte) 0xFF, 0x4D};
        System.arraycopy(junk, 0, noisy, 0, 5);
        System.arraycopy(frame, 0, noisy, 5, frame.length);
        int off = 0;
        int skipped = 0;
        while (Pms5003Codec.decodeSensor(noisy, off, noisy.length - off) instanceof Pms5003Codec.Skip s) {
            off += s.bytes();
            skipped += s.bytes();
        }
        assertEquals(5, skipped);
        assertInstanceOf(Pms5003Codec.Data.class, Pms5003Codec.decodeSensor(noisy, off, noisy.length - off));
    }

    @Test
    void encode_then_decode_round_trips() {
        Pms5003Frame f = new Pms5003Frame(1, 2, 3, 4, 5, 6, 700, 600, 500, 400, 300, 65535, 0x97, 1);
        byte[] bytes = Pms5003Codec.encode(f);
        var d = assertInstanceOf(Pms5003Codec.Data.class, Pms5003Codec.decodeSensor(bytes, 0, bytes.length));
        assertEquals(f, d.frame());
        byte[] published = Vectors.tsv(FILE).get(0).bytes();
        var p = (Pms5003Codec.Data) Pms5003Codec.decodeSensor(published, 0, published.length);
        assertArrayEquals(published, Pms5003Codec.encode(p.frame()), Arrays.toString(published));
    }
}
