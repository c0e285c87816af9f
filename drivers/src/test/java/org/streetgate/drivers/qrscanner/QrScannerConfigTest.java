package org.streetgate.drivers.qrscanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.config.ConfigNode;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.config.Problems;

class QrScannerConfigTest {
    static ConfigReader device(Map<String, String> keys, Problems problems) {
        Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
        int line = 2;
        for (var e : keys.entrySet()) {
            Position at = new Position("kiosk.yaml", line++);
            entries.put(e.getKey(), new ConfigNode.Entry(at, new ConfigNode.Scalar(e.getValue(), at)));
        }
        return new ConfigReader(new ConfigNode.Mapping(entries, new Position("kiosk.yaml", 1)), problems, "devices[2]");
    }

    @Test
    void scans_are_not_published_unless_the_profile_says_so() {
        Problems problems = new Problems();
        QrScannerConfig c = new QrScannerFactory().parseConfig(device(Map.of(), problems));
        assertTrue(problems.isEmpty());
        assertFalse(c.publishScans());
        assertEquals(QrScannerCodec.Terminator.ANY, c.terminator(), "CR, LF or CR LF by default");
        assertEquals(4096, c.maxLength());
        assertEquals(QrScannerConfig.defaults(), c);
    }

    @Test
    void profile_keys_become_the_typed_config() {
        Problems problems = new Problems();
        QrScannerConfig c = new QrScannerFactory().parseConfig(device(
                Map.of("terminator", "crlf", "max-length", "64", "publish-scans", "true"), problems));
        assertTrue(problems.isEmpty(), problems.list().toString());
        assertEquals(new QrScannerConfig(QrScannerCodec.Terminator.CRLF, 64, true), c);
        QrScannerConfig any = new QrScannerFactory().parseConfig(device(Map.of("terminator", "any"), problems));
        assertEquals(QrScannerCodec.Terminator.ANY, any.terminator());
    }

    @Test
    void a_terminator_that_is_not_a_line_ending_or_a_byte_is_reported() {
        Problems problems = new Problems();
        new QrScannerFactory().parseConfig(device(Map.of("terminator", "semicolon"), problems));
        assertEquals(1, problems.list().size());
        assertTrue(problems.list().get(0).toString().contains("'semicolon'"), problems.list().toString());
    }
}
