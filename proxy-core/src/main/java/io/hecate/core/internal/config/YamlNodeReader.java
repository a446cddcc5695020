package io.hecate.core.internal.config;

import io.hecate.core.config.Durations;

import io.hecate.core.config.ConfigProblem;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads typed values out of a composed YAML tree, one key path at a time. Instead of throwing it
 * records a problem (with the node's line) and hands back a stand-in, so one pass over a file finds
 * every mistake in it. It also remembers the line of every key path it visited, so problems found
 * later on the mapped model can be pointed at the right line.
 *
 * <p>An absent key and a key with an empty ({@code null}) value mean the same: "use the default".
 */
public final class YamlNodeReader {

    /** Deep enough for any sane filter setting, shallow enough to stop a self-referencing alias. */
    private static final int MAX_DEPTH = 32;

    private final String source;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final Map<String, Integer> lines = new HashMap<>();

    /** @param source the file name the problems will carry */
    public YamlNodeReader(String source) {
        this.source = source;
    }

    public List<ConfigProblem> problems() {
        return Collections.unmodifiableList(problems);
    }

    public void problem(String path, Node node, String message) {
        problems.add(new ConfigProblem(source, lineOf(node), path, message));
    }

    /**
     * Gives a problem found on the mapped model (which knows only the key path) this file's name
     * and the line of that path, or of its closest parent that appears in the file.
     */
    public ConfigProblem locate(ConfigProblem problem) {
        String path = problem.path();
        Integer line = lines.get(path);
        while (line == null && !path.isEmpty()) {
            path = parent(path);
            line = lines.get(path);
        }
        return new ConfigProblem(source, line == null ? 0 : line, problem.path(), problem.message());
    }

    /**
     * Whether a problem was already recorded at {@code path} or one of its parents. Such a path
     * holds a stand-in value, and a second complaint about it would only repeat the first.
     */
    public boolean alreadyReported(String path) {
        for (ConfigProblem problem : problems) {
            String reported = problem.path();
            if (path.equals(reported) || reported.isEmpty()
                    || path.startsWith(reported + ".") || path.startsWith(reported + "[")) {
                return true;
            }
        }
        return false;
    }

    /** The mapping's entries in file order, or an empty map when the node is absent or not a mapping. */
    public Map<String, Node> mapping(Node node, String path) {
        return mapping(node, path, null);
    }

    /**
     * Like {@link #mapping(Node, String)}, and reports every key not in {@code allowedKeys} (with
     * the closest allowed key as a suggestion).
     */
    public Map<String, Node> mapping(Node node, String path, List<String> allowedKeys) {
        Map<String, Node> entries = new LinkedHashMap<>();
        if (isNull(node)) {
            return entries;
        }
        if (!(node instanceof MappingNode mapping)) {
            problem(path, node, "expected a mapping, got " + describe(node));
            return entries;
        }
        Map<String, Integer> keyLines = new HashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey) || isNull(keyNode)) {
                problem(path, keyNode, "keys must be plain names, got " + describe(keyNode));
                continue;
            }
            String key = scalarKey.getValue();
            String keyPath = child(path, key);
            Integer firstLine = keyLines.putIfAbsent(key, lineOf(keyNode));
            if (firstLine != null) {
                problem(keyPath, keyNode, "duplicate key " + quote(key) + " (first at line " + firstLine + ")");
                continue;
            }
            if (allowedKeys != null && !allowedKeys.contains(key)) {
                problem(keyPath, keyNode, unknownKeyMessage(key, allowedKeys));
                continue;
            }
            lines.putIfAbsent(keyPath, lineOf(keyNode));
            entries.put(key, tuple.getValueNode());
        }
        return entries;
    }

    private static String unknownKeyMessage(String key, List<String> allowedKeys) {
        String hint = Suggestions.closest(key, allowedKeys)
                .map(suggestion -> "; did you mean " + quote(suggestion) + "?")
                .orElse("");
        return "unknown key " + quote(key) + " (expected one of: " + String.join(", ", allowedKeys) + hint + ")";
    }

    /** The list's items, or an empty list when the node is absent or not a list. */
    public List<Node> sequence(Node node, String path) {
        if (isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            problem(path, node, "expected a list, got " + describe(node));
            return List.of();
        }
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            lines.putIfAbsent(index(path, i), lineOf(items.get(i)));
        }
        return items;
    }

    /** The scalar's text, or {@code null} when absent or not a scalar. */
    public String string(Node node, String path) {
        if (isNull(node)) {
            return null;
        }
        if (!(node instanceof ScalarNode scalar)) {
            problem(path, node, "expected a string, got " + describe(node));
            return null;
        }
        return scalar.getValue();
    }

    public int integer(Node node, String path, int fallback) {
        String text = string(node, path);
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            problem(path, node, "expected an integer, got " + quote(text));
            return fallback;
        }
    }

    /** {@code true} or {@code false} (any case). */
    public boolean bool(Node node, String path, boolean fallback) {
        String text = string(node, path);
        if (text == null) {
            return fallback;
        }
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                problem(path, node, "expected true or false, got " + quote(text));
                return fallback;
        }
    }

    public Duration duration(Node node, String path, Duration fallback) {
        String text = string(node, path);
        if (text == null) {
            return fallback;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            problem(path, node, e.getMessage());
            return fallback;
        }
    }

    /** A decimal number such as {@code 0.2}. */
    public double decimal(Node node, String path, double fallback) {
        String text = string(node, path);
        if (text == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            problem(path, node, "expected a number like 0.2, got " + quote(text));
            return fallback;
        }
    }

    /** A list of integers; an item that is not one is reported and left out. */
    public List<Integer> integerList(Node node, String path) {
        List<Node> items = sequence(node, path);
        List<Integer> values = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String text = requiredString(items.get(i), index(path, i));
            try {
                values.add(Integer.parseInt(text.trim()));
            } catch (NumberFormatException e) {
                problem(index(path, i), items.get(i), "expected an integer, got " + quote(text));
            }
        }
        return values;
    }

    /** A byte count that may exceed 2 GiB. */
    public long largeSize(Node node, String path, long fallback) {
        String text = string(node, path);
        if (text == null) {
            return fallback;
        }
        try {
            return ByteSizes.parseLong(text);
        } catch (IllegalArgumentException e) {
            problem(path, node, e.getMessage());
            return fallback;
        }
    }

    /** A byte count: a plain integer or a number with {@code KiB} / {@code MiB}. */
    public int size(Node node, String path, int fallback) {
        String text = string(node, path);
        if (text == null) {
            return fallback;
        }
        try {
            return ByteSizes.parse(text);
        } catch (IllegalArgumentException e) {
            problem(path, node, e.getMessage());
            return fallback;
        }
    }

    /**
     * A list of strings. An item that is not a string is reported and kept as {@code ""}, so the
     * indexes of the following items still match the file.
     */
    public List<String> stringList(Node node, String path) {
        List<Node> items = sequence(node, path);
        List<String> values = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            values.add(requiredString(items.get(i), index(path, i)));
        }
        return values;
    }

    /** A mapping of names to strings, in file order; a value that is not a string is reported. */
    public Map<String, String> stringMap(Node node, String path) {
        Map<String, String> values = new LinkedHashMap<>();
        mapping(node, path).forEach((key, value) -> values.put(key, requiredString(value, child(path, key))));
        return values;
    }

    private String requiredString(Node node, String path) {
        if (isNull(node)) {
            problem(path, node, "expected a string, got nothing (write \"\" for an empty one)");
            return "";
        }
        String text = string(node, path);
        return text == null ? "" : text;
    }

    /**
     * The node as a plain Java value: String, Integer (Long or BigInteger when larger), Double,
     * Boolean, List or Map, immutable. Nulls are reported and left out, because the settings maps
     * handed to filter factories cannot hold them.
     */
    public Object plain(Node node, String path) {
        return plain(node, path, 0);
    }

    private Object plain(Node node, String path, int depth) {
        if (depth > MAX_DEPTH) {
            problem(path, node, "nested more than " + MAX_DEPTH + " levels deep");
            return null;
        }
        if (isNull(node)) {
            problem(path, node, "must not be empty (null values are not allowed here)");
            return null;
        }
        if (node instanceof SequenceNode sequence) {
            List<Object> items = new ArrayList<>();
            List<Node> nodes = sequence.getValue();
            for (int i = 0; i < nodes.size(); i++) {
                lines.putIfAbsent(index(path, i), lineOf(nodes.get(i)));
                Object item = plain(nodes.get(i), index(path, i), depth + 1);
                if (item != null) {
                    items.add(item);
                }
            }
            return List.copyOf(items);
        }
        if (node instanceof MappingNode) {
            Map<String, Object> entries = new LinkedHashMap<>();
            mapping(node, path).forEach((key, value) -> {
                Object item = plain(value, child(path, key), depth + 1);
                if (item != null) {
                    entries.put(key, item);
                }
            });
            return Collections.unmodifiableMap(entries);
        }
        if (!(node instanceof ScalarNode scalar)) {
            problem(path, node, "cannot read " + describe(node));
            return null;
        }
        return scalar(scalar, path);
    }

    private Object scalar(ScalarNode node, String path) {
        String text = node.getValue();
        Tag tag = node.getTag();
        try {
            if (Tag.INT.equals(tag)) {
                return integral(text);
            }
            if (Tag.FLOAT.equals(tag)) {
                return floating(text);
            }
        } catch (NumberFormatException e) {
            problem(path, node, "cannot read " + quote(text) + " as a number");
            return null;
        }
        if (Tag.BOOL.equals(tag)) {
            return Boolean.parseBoolean(text.toLowerCase(Locale.ROOT));
        }
        return text;
    }

    /** YAML 1.2 core schema integers: decimal, {@code 0o} octal and {@code 0x} hexadecimal. */
    private static Object integral(String text) {
        BigInteger value;
        if (text.startsWith("0x")) {
            value = new BigInteger(text.substring(2), 16);
        } else if (text.startsWith("0o")) {
            value = new BigInteger(text.substring(2), 8);
        } else {
            value = new BigInteger(text);
        }
        if (value.bitLength() < Integer.SIZE) {
            return value.intValue();
        }
        return value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
    }

    private static Double floating(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
            case "-.inf" -> Double.NEGATIVE_INFINITY;
            case ".nan" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    public static boolean isNull(Node node) {
        return node == null || (node instanceof ScalarNode && Tag.NULL.equals(node.getTag()));
    }

    /** 1-based, or 0 when the node carries no position. */
    public static int lineOf(Node node) {
        return node == null ? 0 : node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    public static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public static String index(String path, int index) {
        return path + "[" + index + "]";
    }

    private static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof ScalarNode scalar) {
            return isNull(node) ? "nothing" : quote(scalar.getValue());
        }
        return "a " + node.getNodeType().name().toLowerCase(Locale.ROOT) + " node";
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }
}
