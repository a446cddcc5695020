package io.hecate.agent.consul.internal;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the line of a key path ({@code proxy.retry.on_status[0]}) in a YAML or JSON document:
 * problems found on the mapped model know only the path, and an operator wants the line.
 */
final class KeyLines {

    private static final Pattern STEP = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    private KeyLines() {
    }

    /** The line of {@code path}, or of its closest parent in the document; 0 when not even that is found. */
    static int line(String text, String path) {
        Node node;
        try {
            node = new Compose(LoadSettings.builder().setSchema(new CoreSchema()).build())
                    .composeString(text).orElse(null);
        } catch (YamlEngineException e) {
            return 0;
        }
        int line = 0;
        Matcher step = STEP.matcher(path);
        while (node != null && step.find()) {
            Node located;
            if (step.group(1) != null) {
                NodeTuple entry = entry(node, step.group(1));
                located = entry == null ? null : entry.getKeyNode();
                node = entry == null ? null : entry.getValueNode();
            } else {
                located = item(node, Integer.parseInt(step.group(2)));
                node = located;
            }
            if (located != null) {
                line = lineOf(located);
            }
        }
        return line;
    }

    private static NodeTuple entry(Node node, String key) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
                    return tuple;
                }
            }
        }
        return null;
    }

    private static Node item(Node node, int index) {
        return node instanceof SequenceNode sequence && index < sequence.getValue().size()
                ? sequence.getValue().get(index) : null;
    }

    private static int lineOf(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }
}
