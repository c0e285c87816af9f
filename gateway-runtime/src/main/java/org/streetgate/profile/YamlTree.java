package org.streetgate.profile;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.streetgate.drivers.config.ConfigNode;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.config.Problems;

/** Reads a YAML file into a {@link ConfigNode} tree that remembers the line of every key and value. */
final class YamlTree {
    /** A profile is a page or two of YAML; anything near this is not one. */
    static final int MAX_BYTES = 1 << 20;
    /** Deeper than any profile needs, shallow enough that no file can exhaust the stack. */
    static final int MAX_DEPTH = 32;

    private YamlTree() {}

    /** Returns the document's root, or empty after reporting a syntax error or an empty file. */
    static Optional<ConfigNode> read(Path file, Problems problems) {
        String label = file.toString();
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                problems.add(new Position(label, 1), "profile is larger than " + (MAX_BYTES >> 10) + " KiB");
                return Optional.empty();
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(new Position(label, 1), "cannot read profile: " + e.getMessage());
            return Optional.empty();
        }
        return parse(label, text, problems);
    }

    static Optional<ConfigNode> parse(String label, String text, Problems problems) {
        if (text.length() > MAX_BYTES) {
            problems.add(new Position(label, 1), "profile is larger than " + (MAX_BYTES >> 10) + " KiB");
            return Optional.empty();
        }
        int tooDeep = flowDepthExceeded(text);
        if (tooDeep > 0) {
            problems.add(new Position(label, tooDeep), "nested deeper than " + MAX_DEPTH + " levels");
            return Optional.empty();
        }
        // A bounded document. Aliases are refused below, at the anchor's line: expanding them is how a
        // few hundred bytes become gigabytes (an alias bomb) or a walk that never ends (a recursive one).
        LoadSettings settings = LoadSettings.builder().setLabel(label).setAllowDuplicateKeys(true)
                .setMaxAliasesForCollections(50).setAllowRecursiveKeys(false).setCodePointLimit(MAX_BYTES).build();
        try (Reader reader = new java.io.StringReader(text)) {
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, reader)));
            Optional<Node> root = composer.getSingleNode();
            if (root.isEmpty()) {
                problems.add(new Position(label, 1), "profile is empty");
                return Optional.empty();
            }
            return Optional.of(convert(label, root.get(), problems, 0));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(1);
            problems.add(new Position(label, line), "YAML syntax: " + e.getProblem());
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            problems.add(new Position(label, 1), "YAML syntax: " + e.getMessage());
            return Optional.empty();
        } catch (StackOverflowError e) {
            // Block nesting is bounded by the file size; this is the backstop should a parser still recurse too far.
            problems.add(new Position(label, 1), "nested too deeply to read");
            return Optional.empty();
        }
    }

    /**
     * The line where {@code [ ]} / {@code { }} nesting first passes {@link #MAX_DEPTH} (quotes and
     * comments skipped), or 0. The YAML parser recurses once per level, so this is checked first.
     */
    static int flowDepthExceeded(String text) {
        int depth = 0;
        int line = 1;
        char quote = 0;
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                comment = false;
                continue;
            }
            if (comment) {
                continue;
            }
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"') {
                    i++;
                }
                continue;
            }
            switch (c) {
                case '"', '\'' -> quote = c;
                case '#' -> comment = i == 0 || Character.isWhitespace(text.charAt(i - 1));
                case '[', '{' -> {
                    if (++depth > MAX_DEPTH) {
                        return line;
                    }
                }
                case ']', '}' -> depth = Math.max(0, depth - 1);
                default -> { }
            }
        }
        return 0;
    }

    private static ConfigNode convert(String label, Node node, Problems problems, int depth) {
        Position at = new Position(label, line(node));
        if (node.getAnchor().isPresent()) {
            problems.add(at, "anchors and aliases (&" + node.getAnchor().get().getValue() + ", *...) are not supported in profiles");
            return new ConfigNode.Empty(at);
        }
        if (depth > MAX_DEPTH) {
            problems.add(at, "nested deeper than " + MAX_DEPTH + " levels");
            return new ConfigNode.Empty(at);
        }
        return switch (node) {
            case ScalarNode s -> s.getTag().equals(Tag.NULL) ? new ConfigNode.Empty(at) : new ConfigNode.Scalar(s.getValue(), at);
            case SequenceNode seq -> {
                List<ConfigNode> items = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    items.add(convert(label, item, problems, depth + 1));
                }
                yield new ConfigNode.Sequence(items, at);
            }
            case MappingNode map -> {
                Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
                Map<String, Integer> firstLine = new HashMap<>();
                for (NodeTuple t : map.getValue()) {
                    Position keyAt = new Position(label, line(t.getKeyNode()));
                    if (!(t.getKeyNode() instanceof ScalarNode k)) {
                        problems.add(keyAt, "keys must be plain names");
                        continue;
                    }
                    Integer first = firstLine.putIfAbsent(k.getValue(), keyAt.line());
                    if (first != null) {
                        problems.add(keyAt, "duplicate key '" + k.getValue() + "' (first at line " + first + ")");
                        continue;
                    }
                    entries.put(k.getValue(), new ConfigNode.Entry(keyAt, convert(label, t.getValueNode(), problems, depth + 1)));
                }
                yield new ConfigNode.Mapping(entries, at);
            }
            default -> {
                problems.add(at, "unsupported YAML node");
                yield new ConfigNode.Empty(at);
            }
        };
    }

    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).orElse(0) + 1;
    }
}
