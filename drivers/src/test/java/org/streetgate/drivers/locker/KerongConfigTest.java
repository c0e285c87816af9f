package org.streetgate.drivers.locker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.config.ConfigNode;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.config.Problems;

class KerongConfigTest {
    /** A device mapping as the profile loader would hand it over, one line per key. */
    static ConfigReader device(Map<String, Object> keys, Problems problems) {
        Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
        int line = 2;
        for (var e : keys.entrySet()) {
            Position at = new Position("kiosk.yaml", line++);
            ConfigNode value = e.getValue() instanceof List<?> list
                    ? new ConfigNode.Sequence(list.stream().<ConfigNode>map(v -> new ConfigNode.Scalar(v.toString(), at)).toList(), at)
                    : new ConfigNode.Scalar(e.getValue().toString(), at);
            entries.put(e.getKey(), new ConfigNode.Entry(at, value));
        }
        return new ConfigReader(new ConfigNode.Mapping(entries, new Position("kiosk.yaml", 1)), problems, "devices[0]");
    }

    @Test
    void profile_keys_become_the_typed_config() {
        Problems problems = new Problems();
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("boards", List.of("0", "0x2"));
        keys.put("doors-per-board", "12");
        keys.put("left-open-after", "90s");
        keys.put("sim-auto-close", "5s");
        KerongConfig c = new KerongFactory().parseConfig(device(keys, problems));
        assertTrue(problems.isEmpty(), problems.list().toString());
        assertEquals(List.of(0, 2), c.boards());
        assertEquals(24, c.doors());
        assertEquals(Duration.ofSeconds(90), c.leftOpenAfter());
        assertEquals(Duration.ofSeconds(5), c.simAutoClose());
        assertEquals(Duration.ofSeconds(10), c.unlockWindow());
    }

    @Test
    void no_boards_key_means_one_board_at_address_0() {
        Problems problems = new Problems();
        KerongConfig c = new KerongFactory().parseConfig(device(Map.of(), problems));
        assertTrue(problems.isEmpty());
        assertEquals(List.of(0), c.boards());
        assertEquals(16, c.doors());
        assertNull(c.simAutoClose());
        assertEquals(KerongConfig.DoorSensor.CLOSED_WHEN_SET, c.doorSensor(), "the documented default");
    }

    @Test
    void door_sensor_polarity_is_a_board_setting_and_a_wrong_value_is_reported() {
        Problems problems = new Problems();
        KerongConfig c = new KerongFactory().parseConfig(device(Map.of("door-sensor", "open-when-set"), problems));
        assertTrue(problems.isEmpty(), problems.list().toString());
        assertEquals(KerongConfig.DoorSensor.OPEN_WHEN_SET, c.doorSensor());
        var set = new KerongCodec.BoardState(0, 0b01, 0);
        assertTrue(c.doorOpen(set, 0), "open-when-set: bit 0 set is door 1 open");
        assertTrue(!c.doorOpen(set, 1));
        assertTrue(!c.withDoorSensor(KerongConfig.DoorSensor.CLOSED_WHEN_SET).doorOpen(set, 0));

        new KerongFactory().parseConfig(device(Map.of("door-sensor", "inverted"), problems));
        var messages = problems.list().stream().map(Object::toString).toList();
        assertEquals(1, messages.size(), messages.toString());
        assertTrue(messages.get(0).contains("closed-when-set") && messages.get(0).contains("open-when-set"),
                messages.get(0));
    }

    @Test
    void bad_and_duplicate_board_addresses_are_reported_with_their_line() {
        Problems problems = new Problems();
        new KerongFactory().parseConfig(device(Map.of("boards", List.of("1", "16", "1")), problems));
        var messages = problems.list().stream().map(Object::toString).toList();
        assertEquals(2, messages.size(), messages.toString());
        assertTrue(messages.get(0).contains("kiosk.yaml:2"), messages.get(0));
        assertTrue(messages.stream().anyMatch(m -> m.contains("'16'")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("board 1 is listed twice")), messages.toString());
    }
}
