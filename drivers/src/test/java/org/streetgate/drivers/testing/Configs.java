package org.streetgate.drivers.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streetgate.drivers.config.ConfigNode;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.config.Problems;

/**
 * Builds a device's config reader from plain Java maps and lists, as the runtime would from YAML,
 * so factories' {@code parseConfig} can be tested without the runtime. Each value gets its own line
 * number in file {@code test.yaml}, in the order given.
 */
public final class Configs {
    private final Problems problems = new Problems();
    private int line = 1;

    /** Use a {@link LinkedHashMap} (or {@code Map.of} with one key) when order matters. */
    public ConfigReader reader(Map<String, ?> device) {
        return new ConfigReader((ConfigNode.Mapping) node(device), problems, "devices[0]");
    }

    public Problems problems() {
        return problems;
    }

    /** The problems as {@code file:line: message} lines. */
    public List<String> messages() {
        return problems.list().stream().map(p -> p.at() + ": " + p.message()).toList();
    }

    private ConfigNode node(Object value) {
        Position at = new Position("test.yaml", line++);
        if (value instanceof Map<?, ?> m) {
            Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
            for (var e : m.entrySet()) {
                Position keyAt = new Position("test.yaml", line);
                entries.put(String.valueOf(e.getKey()), new ConfigNode.Entry(keyAt, node(e.getValue())));
            }
            return new ConfigNode.Mapping(entries, at);
        }
        if (value instanceof List<?> l) {
            List<ConfigNode> items = new ArrayList<>();
            for (Object o : l) {
                items.add(node(o));
            }
            return new ConfigNode.Sequence(items, at);
        }
        if (value == null) {
            return new ConfigNode.Empty(at);
        }
        return new ConfigNode.Scalar(String.valueOf(value), at);
    }

    /** A mapping that keeps the order of its key/value pairs. */
    public static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
