package org.streetgate.drivers.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one mapping of a profile into typed values. Every getter records what it consumed; problems
 * (missing keys, wrong types, bad values) go to the shared {@link Problems} with the line of the
 * offending value, and the getter returns the default so reading can go on and find the rest.
 * {@link #finish()} then reports every key nobody asked for as unknown.
 */
public final class ConfigReader {
    private final ConfigNode.Mapping mapping;
    private final Problems problems;
    private final String where;
    private final Set<String> consumed = new LinkedHashSet<>();
    /** A required section that is missing: already reported, so its own missing keys are not. */
    private final boolean absent;

    /** @param where the path of this mapping, e.g. {@code devices[0].serial}; empty for the root */
    public ConfigReader(ConfigNode.Mapping mapping, Problems problems, String where) {
        this(mapping, problems, where, false);
    }

    private ConfigReader(ConfigNode.Mapping mapping, Problems problems, String where, boolean absent) {
        this.mapping = mapping;
        this.problems = problems;
        this.where = where;
        this.absent = absent;
    }

    private String child(String key) {
        return where.isEmpty() ? key : where + "." + key;
    }

    /** How messages name this mapping. */
    private String place() {
        return where.isEmpty() ? "the profile" : where;
    }

    /** Reads {@code node} as a mapping, or reports that it is not one and returns an empty reader. */
    public static ConfigReader of(ConfigNode node, Problems problems, String where) {
        if (node instanceof ConfigNode.Mapping m) {
            return new ConfigReader(m, problems, where);
        }
        problems.add(node.at(), (where.isEmpty() ? "the profile" : where) + " must be a mapping, not " + node.kind());
        return new ConfigReader(new ConfigNode.Mapping(Map.of(), node.at()), problems, where);
    }

    public Position at() {
        return mapping.at();
    }

    /** The position of a key's value, or of this mapping when the key is absent. */
    public Position at(String key) {
        ConfigNode.Entry e = mapping.entries().get(key);
        return e == null ? mapping.at() : e.value().at();
    }

    public String where() {
        return where;
    }

    public Problems problems() {
        return problems;
    }

    public boolean has(String key) {
        ConfigNode.Entry e = mapping.entries().get(key);
        return e != null && !(e.value() instanceof ConfigNode.Empty);
    }

    /** Reports a problem about the value of {@code key}. */
    public void error(String key, String message) {
        problems.add(at(key), message);
    }

    private ConfigNode take(String key) {
        consumed.add(key);
        ConfigNode.Entry e = mapping.entries().get(key);
        if (e == null || e.value() instanceof ConfigNode.Empty) {
            return null;
        }
        return e.value();
    }

    private String scalar(String key, ConfigNode node) {
        if (node instanceof ConfigNode.Scalar s) {
            return s.text();
        }
        problems.add(node.at(), "'" + key + "' must be a single value, not " + node.kind());
        return null;
    }

    private <T> T typed(String key, T fallback, boolean required, String expected, Function<String, T> parse) {
        ConfigNode node = take(key);
        if (node == null) {
            if (required && !absent) {
                problems.add(mapping.at(), "missing required key '" + key + "' in " + place());
            }
            return fallback;
        }
        String text = scalar(key, node);
        if (text == null) {
            return fallback;
        }
        T value = parse.apply(text);
        if (value == null) {
            problems.add(node.at(), "'" + key + "' must be " + expected + ", not '" + text + "'");
            return fallback;
        }
        return value;
    }

    public String string(String key) {
        return typed(key, null, true, "text", t -> t);
    }

    public String string(String key, String fallback) {
        return typed(key, fallback, false, "text", t -> t);
    }

    /** A required string matched against {@code pattern}; {@code expected} describes it for the message. */
    public String string(String key, String pattern, String expected) {
        return typed(key, null, true, expected, t -> t.matches(pattern) ? t : null);
    }

    public int integer(String key, int fallback, int min, int max) {
        return typed(key, fallback, false, "a whole number from " + min + " to " + max,
                t -> parseInt(t, min, max));
    }

    public int integer(String key, int min, int max) {
        return typed(key, min, true, "a whole number from " + min + " to " + max, t -> parseInt(t, min, max));
    }

    public double number(String key, double fallback) {
        return typed(key, fallback, false, "a number", ConfigReader::parseDouble);
    }

    public double number(String key) {
        return typed(key, 0.0, true, "a number", ConfigReader::parseDouble);
    }

    public boolean bool(String key, boolean fallback) {
        return typed(key, fallback, false, "true or false", t -> switch (t) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        });
    }

    public Duration duration(String key, Duration fallback) {
        return typed(key, fallback, false, "a duration like 500ms, 10s, 5m, 1h or 1d", Units::parseDuration);
    }

    public Duration duration(String key) {
        return typed(key, Duration.ZERO, true, "a duration like 500ms, 10s, 5m, 1h or 1d", Units::parseDuration);
    }

    public long size(String key, long fallback) {
        return typed(key, fallback, false, "a size like 512KiB, 256MiB or 2GiB", t -> {
            long v = Units.parseSize(t);
            return v < 0 ? null : v;
        });
    }

    /** One of a closed set of words, e.g. {@code pull: up|down|none}. */
    public String oneOf(String key, String fallback, List<String> allowed) {
        return typed(key, fallback, fallback == null, "one of " + String.join(", ", allowed),
                t -> allowed.contains(t) ? t : null);
    }

    public Optional<ConfigReader> map(String key) {
        ConfigNode node = take(key);
        if (node == null) {
            return Optional.empty();
        }
        if (!(node instanceof ConfigNode.Mapping m)) {
            problems.add(node.at(), "'" + key + "' must be a mapping, not " + node.kind());
            return Optional.empty();
        }
        return Optional.of(new ConfigReader(m, problems, child(key)));
    }

    public ConfigReader requiredMap(String key) {
        return map(key).orElseGet(() -> {
            if (!mapping.entries().containsKey(key) && !absent) {
                problems.add(mapping.at(), "missing required key '" + key + "' in " + place());
            }
            return new ConfigReader(new ConfigNode.Mapping(Map.of(), at(key)), problems, child(key), true);
        });
    }

    /** A list of mappings, e.g. {@code devices:} or {@code registers:}. */
    public List<ConfigReader> mapList(String key) {
        ConfigNode node = take(key);
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof ConfigNode.Sequence seq)) {
            problems.add(node.at(), "'" + key + "' must be a list, not " + node.kind());
            return List.of();
        }
        List<ConfigReader> out = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
            out.add(of(seq.items().get(i), problems, child(key) + "[" + i + "]"));
        }
        return out;
    }

    public List<String> stringList(String key) {
        ConfigNode node = take(key);
        if (node == null) {
            return List.of();
        }
        if (node instanceof ConfigNode.Scalar s) {
            return List.of(s.text());
        }
        if (!(node instanceof ConfigNode.Sequence seq)) {
            problems.add(node.at(), "'" + key + "' must be a list of values, not " + node.kind());
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode item : seq.items()) {
            String text = scalar(key, item);
            if (text != null) {
                out.add(text);
            }
        }
        return List.copyOf(out);
    }

    /** A flat mapping of names to values, e.g. {@code events: {high: door.opened, low: door.closed}}. */
    public Map<String, String> stringMap(String key) {
        Optional<ConfigReader> sub = map(key);
        if (sub.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : sub.get().mapping.entries().entrySet()) {
            sub.get().consumed.add(e.getKey());
            String text = scalar(e.getKey(), e.getValue().value());
            if (text != null) {
                out.put(e.getKey(), text);
            }
        }
        return out;
    }

    /** Marks a key as read by someone else (the runtime reads the common device keys). */
    public void skip(String key) {
        consumed.add(key);
    }

    /** Reports every key of this mapping that no getter asked for. */
    public void finish() {
        for (var e : mapping.entries().entrySet()) {
            if (!consumed.contains(e.getKey())) {
                problems.add(e.getValue().keyAt(), "unknown key '" + e.getKey() + "' in " + place());
            }
        }
    }

    static Integer parseInt(String text, int min, int max) {
        long v;
        try {
            String t = text.trim().replace("_", "");
            v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            return null;
        }
        return v < min || v > max ? null : (int) v;
    }

    static Double parseDouble(String text) {
        try {
            double d = Double.parseDouble(text.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
