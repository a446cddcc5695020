package io.hecate.agent.consul.internal;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Present;
import org.snakeyaml.engine.v2.api.lowlevel.Serialize;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A prefix's routes and upstreams as one YAML document, each document's text kept exactly as it
 * was stored:
 *
 * <pre>
 * hecate_backup: 1                  # the format version
 * prefix: hecate/                   # where it was taken from
 * taken: 2026-11-27T15:43:11.123Z   # when
 * routes:
 *   api: |                          # id: the document's text
 *     match: { path_prefix: /api/ }
 *     proxy: { upstream: app }
 * upstreams:
 *   app: |
 *     targets: ["10.0.0.5:8080"]
 * </pre>
 */
public record Backup(String prefix, Instant taken, SortedMap<String, String> routes,
                     SortedMap<String, String> upstreams) {

    /** The format this Hecate writes; it reads this one and older ones. */
    public static final int FORMAT_VERSION = 1;
    private static final String VERSION_KEY = "hecate_backup";
    private static final List<String> KEYS = List.of(VERSION_KEY, "prefix", "taken", "routes", "upstreams");

    public Backup {
        routes = Collections.unmodifiableSortedMap(new TreeMap<>(routes));
        upstreams = Collections.unmodifiableSortedMap(new TreeMap<>(upstreams));
    }

    public static Backup of(String prefix, Instant taken, KvDocuments documents) {
        return new Backup(prefix, taken, texts(documents.routes()), texts(documents.upstreams()));
    }

    private static SortedMap<String, String> texts(Map<String, KvDocument> documents) {
        SortedMap<String, String> texts = new TreeMap<>();
        documents.forEach((name, document) -> texts.put(name, document.text()));
        return texts;
    }

    public int size() {
        return routes.size() + upstreams.size();
    }

    public String write() {
        DumpSettings settings = DumpSettings.builder().setSchema(new CoreSchema()).setWidth(120).build();
        List<NodeTuple> top = new ArrayList<>();
        top.add(entry(VERSION_KEY, new ScalarNode(Tag.INT, String.valueOf(FORMAT_VERSION), ScalarStyle.PLAIN)));
        top.add(entry("prefix", text(prefix, ScalarStyle.PLAIN)));
        top.add(entry("taken", text(taken.toString(), ScalarStyle.PLAIN)));
        top.add(entry("routes", documents(routes)));
        top.add(entry("upstreams", documents(upstreams)));
        Node root = new MappingNode(Tag.MAP, top, FlowStyle.BLOCK);
        return new Present(settings).emitToString(new Serialize(settings).serializeOne(root).iterator());
    }

    /** Literal blocks keep a document readable; the emitter quotes instead whatever a block cannot hold exactly. */
    private static Node documents(SortedMap<String, String> texts) {
        List<NodeTuple> entries = new ArrayList<>();
        texts.forEach((name, text) -> entries.add(entry(name, text(text, ScalarStyle.LITERAL))));
        return new MappingNode(Tag.MAP, entries, entries.isEmpty() ? FlowStyle.FLOW : FlowStyle.BLOCK);
    }

    private static NodeTuple entry(String key, Node value) {
        return new NodeTuple(text(key, ScalarStyle.PLAIN), value);
    }

    private static ScalarNode text(String value, ScalarStyle style) {
        return new ScalarNode(Tag.STR, value, style);
    }

    /**
     * @param source names the backup in problems (its file)
     * @throws ConfigException naming the line and key of each problem with the backup's own shape;
     *                         the documents in it are not checked here
     */
    public static Backup read(String source, String text) throws ConfigException {
        return new Reader(source).read(text);
    }

    private static final class Reader {
        private final String source;
        private final List<ConfigProblem> problems = new ArrayList<>();

        Reader(String source) {
            this.source = source;
        }

        Backup read(String text) throws ConfigException {
            Node root = compose(text);
            if (!(root instanceof MappingNode mapping)) {
                throw failure(0, "", "is not a Hecate backup: expected a mapping with " + VERSION_KEY + ": "
                        + FORMAT_VERSION + ", prefix, taken, routes and upstreams");
            }
            Map<String, Node> top = entries(mapping, "");
            Node version = top.get(VERSION_KEY);
            if (version == null) {
                throw failure(0, VERSION_KEY, "is missing: this is not a Hecate backup (hecate backup writes one)");
            }
            checkVersion(version);
            String prefix = required(top.get("prefix"), "prefix");
            Instant taken = taken(top.get("taken"));
            SortedMap<String, String> routes = documents(top.get("routes"), "routes");
            SortedMap<String, String> upstreams = documents(top.get("upstreams"), "upstreams");
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return new Backup(prefix, taken, routes, upstreams);
        }

        private Node compose(String text) throws ConfigException {
            LoadSettings settings = LoadSettings.builder().setLabel(source).setSchema(new CoreSchema()).build();
            try {
                return new Compose(settings).composeString(text).orElse(null);
            } catch (MarkedYamlEngineException e) {
                int line = e.getProblemMark().map(mark -> mark.getLine() + 1).orElse(0);
                throw failure(line, "", "invalid YAML: " + e.getProblem());
            } catch (YamlEngineException e) {
                throw failure(0, "", "invalid YAML: " + e.getMessage());
            }
        }

        private void checkVersion(Node node) throws ConfigException {
            String text = scalar(node, VERSION_KEY);
            int version;
            try {
                version = Integer.parseInt(text == null ? "" : text.trim());
            } catch (NumberFormatException e) {
                throw failure(line(node), VERSION_KEY, "expected the format version, a number, got \"" + text + "\"");
            }
            if (version > FORMAT_VERSION) {
                throw failure(line(node), VERSION_KEY, "written in format " + version + "; this Hecate reads formats"
                        + " 1 to " + FORMAT_VERSION + ": restore it with a newer Hecate");
            }
            if (version < 1) {
                throw failure(line(node), VERSION_KEY, "must be 1 or more, got " + version);
            }
        }

        private Instant taken(Node node) {
            String text = required(node, "taken");
            if (text == null) {
                return null;
            }
            try {
                return Instant.parse(text.trim());
            } catch (DateTimeParseException e) {
                problem(node, "taken", "expected a UTC time like 2026-11-27T15:43:11.123Z, got \"" + text + "\"");
                return null;
            }
        }

        private SortedMap<String, String> documents(Node node, String path) {
            SortedMap<String, String> documents = new TreeMap<>();
            if (node == null || isNull(node)) {
                return documents;
            }
            if (!(node instanceof MappingNode mapping)) {
                problem(node, path, "expected a mapping of each document's id to its text");
                return documents;
            }
            entries(mapping, path).forEach((name, value) -> {
                if (value instanceof ScalarNode scalar && !isNull(value)) {
                    documents.put(name, scalar.getValue());
                } else {
                    problem(value, path + "." + name, "expected the document's text as a string (e.g. a | block)");
                }
            });
            return documents;
        }

        private Map<String, Node> entries(MappingNode mapping, String path) {
            Map<String, Node> entries = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                String key = keyNode instanceof ScalarNode scalar ? scalar.getValue() : null;
                String keyPath = path.isEmpty() ? key : path + "." + key;
                if (key == null) {
                    problem(keyNode, path, "keys must be plain names");
                } else if (path.isEmpty() && !KEYS.contains(key)) {
                    problem(keyNode, keyPath, "unknown key (expected " + String.join(", ", KEYS) + ")");
                } else if (entries.putIfAbsent(key, tuple.getValueNode()) != null) {
                    problem(keyNode, keyPath, "duplicate key");
                }
            }
            return entries;
        }

        private String required(Node node, String path) {
            if (node == null || isNull(node)) {
                problems.add(new ConfigProblem(source, 0, path, "is missing"));
                return null;
            }
            return scalar(node, path);
        }

        private String scalar(Node node, String path) {
            if (node == null || isNull(node)) {
                return null;
            }
            if (node instanceof ScalarNode scalar) {
                return scalar.getValue();
            }
            problem(node, path, "expected a single value");
            return null;
        }

        private static boolean isNull(Node node) {
            return node.getTag().equals(Tag.NULL);
        }

        private static int line(Node node) {
            return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
        }

        private void problem(Node node, String path, String message) {
            problems.add(new ConfigProblem(source, line(node), path, message));
        }

        private ConfigException failure(int line, String path, String message) {
            return new ConfigException(List.of(new ConfigProblem(source, line, path, message)));
        }
    }
}
