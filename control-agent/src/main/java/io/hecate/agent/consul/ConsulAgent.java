package io.hecate.agent.consul;

import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.NodeRegistration;
import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.ConfigSource;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.ProxyConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The node's part in the cluster, set up from the configuration's {@code consul} section: routes
 * and upstreams from Consul joined with the file's, {@code GET /consul} and the sync metrics, and
 * the registration of this Hecate in the catalog. {@code hecate run} uses it:
 *
 * <pre>{@code
 * ConsulAgent consul = ConsulAgent.install(builder, file, first);   // null without a consul section
 * Hecate hecate = builder.start();
 * if (consul != null) consul.started(hecate);                      // registers, once listening
 * }</pre>
 */
public final class ConsulAgent implements AutoCloseable {

    /** How long start-up waits for Consul's first answers before serving the file's routes alone. */
    private static final Duration FIRST_SYNC = Duration.ofSeconds(5);

    private final ConsulSettings settings;
    private final ConsulConnection connection;
    private final ConsulConfigSource source;
    private NodeRegistration registration;

    private ConsulAgent(ConsulSettings settings, ConsulConnection connection, ConsulConfigSource source) {
        this.settings = settings;
        this.connection = connection;
        this.source = source;
    }

    /**
     * Reads {@code consul}, makes the joined source the builder's and waits briefly for Consul.
     *
     * @param file  the configuration file's source
     * @param first the file's configuration as just loaded
     * @return the agent, or {@code null} when the configuration has no {@code consul} section
     * @throws ConfigException for a bad {@code consul} section
     */
    public static ConsulAgent install(Hecate.Builder builder, ConfigSource file, ProxyConfig first)
            throws ConfigException, InterruptedException {
        Object section = first.extension("consul");
        if (section == null) {
            return null;
        }
        ConsulSettings settings = ConsulSettings.from(section, System.getenv(), registerDefaults(first));
        if (settings.register() != null && first.admin().listen() == null) {
            throw new ConfigException(List.of(new ConfigProblem(null, 0, "consul.register",
                    "needs the admin API: Consul's check asks its /ready (set admin.listen)")));
        }
        ConsulConnection connection;
        try {
            connection = ConsulConnection.open(settings);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(null, 0, "consul.tls", e.getMessage())));
        }
        ConsulConfigSource source = new ConsulConfigSource(file, settings, connection, false);
        source.awaitFirstSync(FIRST_SYNC);
        builder.source(source).adminEndpoint("/consul", source::statusJson).metrics(source::renderMetrics);
        return new ConsulAgent(settings, connection, source);
    }

    private static ConsulSettings.RegisterDefaults registerDefaults(ProxyConfig config) {
        ListenAddress http = config.listen().http();
        String host = http.host();
        // An empty address makes Consul use the node's own, the right answer for a wildcard listener.
        String address = host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") ? "" : host;
        return new ConsulSettings.RegisterDefaults(nodeName(), address, http.port());
    }

    /** The host's name without a DNS lookup (start-up must not hang on a resolver). */
    private static String nodeName() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = Files.readString(Path.of("/etc/hostname")).trim();
            } catch (IOException e) {
                name = "node";
            }
        }
        return name.isBlank() ? "node" : name;
    }

    /** Call once Hecate listens: registers it in the catalog when {@code consul.register} asks for it. */
    public void started(Hecate hecate) {
        if (settings.register() != null) {
            registration = new NodeRegistration(connection, settings.register(), hecate.adminAddress())
                    .start();
        }
    }

    public ConsulSettings settings() {
        return settings;
    }

    public ConsulConfigSource source() {
        return source;
    }

    /** Deregisters and stops watching. */
    @Override
    public void close() {
        if (registration != null) {
            registration.close();
        }
        source.close();
        connection.close();
    }

    /** The agent's connection to Consul, for what else the node keeps there (shared certificates). */
    public ConsulConnection connection() {
        return connection;
    }
}
