package io.hecate.core.internal.config;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.util.List;

/** YAML text (JSON included, being YAML too) composed into nodes that remember their lines. */
public final class YamlText {

    private YamlText() {
    }

    /**
     * @param source names the text in problems (a file, a Consul key)
     * @return the document's root node, or {@code null} when the text holds no document
     * @throws ConfigException naming the line of a syntax error
     */
    public static Node compose(String source, String text) throws ConfigException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setSchema(new CoreSchema())
                .build();
        try {
            return new Compose(settings).composeString(text).orElse(null);
        } catch (MarkedYamlEngineException e) {
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            String message = e.getContext() == null ? e.getProblem() : e.getContext() + ", " + e.getProblem();
            throw failure(source, mark == null ? 0 : mark.getLine() + 1, "invalid YAML: " + message);
        } catch (YamlEngineException e) {
            throw failure(source, 0, "invalid YAML: " + e.getMessage());
        }
    }

    public static ConfigException failure(String source, int line, String message) {
        return new ConfigException(List.of(new ConfigProblem(source, line, "", message)));
    }
}
