package io.hecate.core.config;

/**
 * Where configurations come from (a YAML file, Consul, code). A running proxy asks its source for a
 * fresh configuration when the source reports a change, on SIGHUP and on {@code POST /reload}.
 */
public interface ConfigSource extends AutoCloseable {

    /** Reads, parses and validates the current configuration. */
    ProxyConfig load() throws ConfigException;

    /**
     * Starts reporting changes: {@code onChange} runs (on a thread of the source's own) whenever
     * the configuration may have changed. The default source never changes by itself.
     */
    default void watch(Runnable onChange) {
    }

    /**
     * The configuration {@link #load} gave last could not be applied: a problem only building it
     * finds, such as a filter's settings. Called on the reload thread before the next {@code load}.
     * A source that joins its configuration from parts (Consul documents, say) can leave the part
     * at fault out and report a change; the default does nothing, and the running configuration
     * stays in force either way.
     */
    default void rejected(ProxyConfig config, ConfigException problems) {
    }

    /** A short description for logs and the admin API, e.g. the file path. */
    String describe();

    @Override
    default void close() {
    }
}
