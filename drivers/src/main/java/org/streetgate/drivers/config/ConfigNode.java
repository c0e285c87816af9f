package org.streetgate.drivers.config;

import java.util.List;
import java.util.Map;

/**
 * A profile value with the position it was read from. Scalars stay text until a reader asks for a
 * type, so that "wrong type" errors can quote what was written and where.
 */
public sealed interface ConfigNode {
    Position at();

    /** A short name for the kind of node, used in "wrong type" messages. */
    String kind();

    record Scalar(String text, Position at) implements ConfigNode {
        public String kind() {
            return "a value";
        }
    }

    /** An explicit YAML null ({@code key:} with nothing after it, or {@code ~}). */
    record Empty(Position at) implements ConfigNode {
        public String kind() {
            return "nothing";
        }
    }

    /** Keys keep their own positions: an unknown key is reported on its own line. */
    record Mapping(Map<String, Entry> entries, Position at) implements ConfigNode {
        public Mapping {
            entries = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entries));
        }

        public String kind() {
            return "a mapping";
        }
    }

    record Entry(Position keyAt, ConfigNode value) {}

    record Sequence(List<ConfigNode> items, Position at) implements ConfigNode {
        public Sequence {
            items = List.copyOf(items);
        }

        public String kind() {
            return "a list";
        }
    }
}
