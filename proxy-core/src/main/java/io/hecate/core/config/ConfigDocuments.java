package io.hecate.core.config;

import io.hecate.core.internal.config.ConfigMapper;
import io.hecate.core.internal.config.YamlNodeReader;
import io.hecate.core.internal.config.YamlText;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One route or one upstream as a document of its own, in the same schema as an entry of the
 * configuration file's {@code routes} list or {@code upstreams} mapping, written in YAML or JSON:
 * the form configuration sources other than a file keep them in (Consul KV, say). A document may
 * state the schema it was written for as {@code version: N}; without it, version 1. A version newer
 * than this Hecate's is refused, naming the upgrade; how older versions are migrated is decision 0010.
 *
 * <p>Only the document's own shape is checked here. Whether its upstream exists or its id is
 * unique is a question about the whole configuration it joins, for {@link ConfigValidator}.
 */
public final class ConfigDocuments {

    /** The newest schema version this Hecate reads. */
    public static final int SCHEMA_VERSION = 1;
    private static final String VERSION_KEY = "version";

    private ConfigDocuments() {
    }

    /**
     * @param source names the document in problems (e.g. {@code consul:hecate/routes/api})
     * @param id     the route's id when the document names none
     * @throws ConfigException naming each problem's line and key, under {@code route.}
     */
    public static RouteConfig route(String source, String id, String text) throws ConfigException {
        YamlNodeReader reader = new YamlNodeReader(source);
        Node root = versioned(source, YamlText.compose(source, text), reader);
        RouteConfig route = new ConfigMapper(reader).route(root, "route", id);
        throwIfAny(reader);
        return route;
    }

    /**
     * @param source names the document in problems (e.g. {@code consul:hecate/upstreams/app})
     * @throws ConfigException naming each problem's line and key, under {@code upstream.}
     */
    public static UpstreamConfig upstream(String source, String text) throws ConfigException {
        YamlNodeReader reader = new YamlNodeReader(source);
        Node root = versioned(source, YamlText.compose(source, text), reader);
        UpstreamConfig upstream = new ConfigMapper(reader).upstreamDocument(root, "upstream");
        throwIfAny(reader);
        return upstream;
    }

    /** Takes the {@code version} key out of the document, refusing versions this Hecate cannot read. */
    private static Node versioned(String source, Node root, YamlNodeReader reader) throws ConfigException {
        if (!(root instanceof MappingNode mapping)) {
            throw YamlText.failure(source, root == null ? 0 : YamlNodeReader.lineOf(root),
                    "expected a mapping (a YAML or JSON object)");
        }
        List<NodeTuple> tuples = new ArrayList<>(mapping.getValue());
        for (Iterator<NodeTuple> it = tuples.iterator(); it.hasNext(); ) {
            NodeTuple tuple = it.next();
            if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals(VERSION_KEY)) {
                int version = reader.integer(tuple.getValueNode(), VERSION_KEY, SCHEMA_VERSION);
                if (version > SCHEMA_VERSION) {
                    throw new ConfigException(List.of(new ConfigProblem(source,
                            YamlNodeReader.lineOf(tuple.getValueNode()), VERSION_KEY, "written for schema version "
                            + version + "; this Hecate reads versions 1 to " + SCHEMA_VERSION + ": upgrade it")));
                }
                if (version < 1) {
                    reader.problem(VERSION_KEY, tuple.getValueNode(), "must be 1 or more, got " + version);
                }
                it.remove();
            }
        }
        mapping.setValue(tuples);
        return mapping;
    }

    private static void throwIfAny(YamlNodeReader reader) throws ConfigException {
        if (!reader.problems().isEmpty()) {
            throw new ConfigException(reader.problems());
        }
    }
}
