package io.hecate.core.config;

import io.hecate.core.internal.config.ConfigMapper;
import io.hecate.core.internal.config.FileWatcher;
import io.hecate.core.internal.config.YamlNodeReader;
import io.hecate.core.internal.config.YamlText;
import org.snakeyaml.engine.v2.nodes.Node;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A configuration kept in a YAML file (see {@code docs/configuration.md} for its keys). Every
 * problem is reported as {@code file:line: key.path: message}, all of them at once.
 */
public final class YamlConfigFile implements ConfigSource {

    /** Long enough to fold an editor's write-rename-touch into one reload, short enough to feel instant. */
    private static final Duration DEBOUNCE = Duration.ofMillis(200);

    private final Path file;
    private final String source;
    private FileWatcher watcher;

    /** @param file the file; problems name it as given here, so relative paths stay short in messages */
    public YamlConfigFile(Path file) {
        this.file = file;
        this.source = file.toString();
    }

    @Override
    public ProxyConfig load() throws ConfigException {
        Node root = YamlText.compose(source, read());
        YamlNodeReader reader = new YamlNodeReader(source);
        ProxyConfig config = new ConfigMapper(reader).map(root);
        List<ConfigProblem> problems = new ArrayList<>(reader.problems());
        for (ConfigProblem problem : ConfigValidator.validate(config)) {
            if (!reader.alreadyReported(problem.path())) {
                problems.add(reader.locate(problem));
            }
        }
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparingInt(ConfigProblem::line));
            throw new ConfigException(problems);
        }
        return config;
    }

    private String read() throws ConfigException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw failure(0, "no such file (looked for " + file.toAbsolutePath() + ")");
        } catch (CharacterCodingException e) {
            throw failure(0, "is not UTF-8 text");
        } catch (IOException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw failure(0, "cannot be read: " + reason);
        }
    }

    private ConfigException failure(int line, String message) {
        return YamlText.failure(source, line, message);
    }

    /**
     * Calls {@code onChange} on the {@value FileWatcher#THREAD_NAME} thread after the file was
     * changed, replaced by a rename, or swapped through a symlink; once per burst of changes.
     *
     * @throws IllegalStateException when already watching
     * @throws java.io.UncheckedIOException when the file's directory cannot be watched
     */
    @Override
    public synchronized void watch(Runnable onChange) {
        if (watcher != null) {
            throw new IllegalStateException("already watching " + source);
        }
        watcher = new FileWatcher(file, DEBOUNCE, onChange);
    }

    @Override
    public String describe() {
        return source;
    }

    /** Stops watching; the file can still be loaded. */
    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }
}
