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
    private YamlTree() {}

    /** Returns the document's root, or empty after reporting a syntax error or an empty file. */
    static Optional<ConfigNode> read(Path file, Problems problems) {
        String label = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(new Position(label, 1), "cannot read profile: " + e.getMessage());
            return Optional.empty();
        }
        return parse(label, text, problems);
    }

    static Optional<ConfigNode> parse(String label, String text, Problems problems) {
        LoadSettings settings = LoadSettings.builder().setLabel(label).setAllowDuplicateKeys(true).build();
        try (Reader reader = new java.io.StringReader(text)) {
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, reader)));
            Optional<Node> root = composer.getSingleNode();
            if (root.isEmpty()) {
                problems.add(new Position(label, 1), "profile is empty");
                return Optional.empty();
            }
            return Optional.of(convert(label, root.get(), problems));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(1);
            problems.add(new Position(label, line), "YAML syntax: " + e.getProblem());
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            problems.add(new Position(label, 1), "YAML syntax: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static ConfigNode convert(String label, Node node, Problems problems) {
        Position at = new Position(label, line(node));
        return switch (node) {
            case ScalarNode s -> s.getTag().equals(Tag.NULL) ? new ConfigNode.Empty(at) : new ConfigNode.Scalar(s.getValue(), at);
            case SequenceNode seq -> {
                List<ConfigNode> items = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    items.add(convert(label, item, problems));
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
                    entries.put(k.getValue(), new ConfigNode.Entry(keyAt, convert(label, t.getValueNode(), problems)));
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
