package org.streetgate.drivers.escpos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.config.ConfigNode;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.config.Problems;

class EscPosConfigTest {
    static ConfigReader device(Map<String, String> keys, Problems problems) {
        Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
        int line = 2;
        for (var e : keys.entrySet()) {
            Position at = new Position("kiosk.yaml", line++);
            entries.put(e.getKey(), new ConfigNode.Entry(at, new ConfigNode.Scalar(e.getValue(), at)));
        }
        return new ConfigReader(new ConfigNode.Mapping(entries, new Position("kiosk.yaml", 1)), problems, "devices[1]");
    }

    @Test
    void profile_keys_become_the_typed_config() {
        Problems problems = new Problems();
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("paper-width", "58mm");
        keys.put("chinese-mode", "false");
        keys.put("wait-for-paper", "2m");
        keys.put("sim-output", "data/receipts");
        EscPosConfig c = new EscPosFactory().parseConfig(device(keys, problems));
        assertTrue(problems.isEmpty(), problems.list().toString());
        assertEquals(384, c.widthDots());
        assertFalse(c.chineseMode());
        assertEquals(Duration.ofMinutes(2), c.waitForPaper());
        assertEquals(Path.of("data/receipts"), c.simOutput());
    }

    @Test
    void defaults_are_an_80mm_chinese_printer_waiting_30_s() {
        Problems problems = new Problems();
        EscPosConfig c = new EscPosFactory().parseConfig(device(Map.of(), problems));
        assertTrue(problems.isEmpty());
        assertEquals(EscPosConfig.defaults(), c);
    }

    @Test
    void an_unknown_paper_width_is_reported_on_its_line() {
        Problems problems = new Problems();
        new EscPosFactory().parseConfig(device(Map.of("paper-width", "76mm"), problems));
        assertEquals(1, problems.list().size());
        assertTrue(problems.list().get(0).toString().contains("kiosk.yaml:2"), problems.list().toString());
    }
}
