package io.hecate.core;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigSource;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.filter.RouteFilterFactory;
import io.hecate.core.internal.admin.AdminApi;
import io.hecate.core.internal.runtime.ProxyEngine;
import io.hecate.core.tls.TlsContextProvider;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A running Hecate proxy. Start one from code with {@link #builder()}:
 *
 * <pre>{@code
 * Hecate proxy = Hecate.builder()
 *         .config(ProxyConfig.builder()
 *                 .listen("127.0.0.1:8080")
 *                 .upstream("app", UpstreamConfig.of("127.0.0.1:3000"))
 *                 .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
 *                 .build())
 *         .start();
 * ...
 * proxy.close();
 * }</pre>
 */
public final class Hecate implements AutoCloseable {

    private final ProxyEngine engine;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Hecate(ProxyEngine engine) {
        this.engine = engine;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where the HTTP listener is bound (useful with port 0). */
    public InetSocketAddress httpAddress() {
        return engine.httpAddress();
    }

    /** Where the HTTPS listener is bound (useful with port 0), or {@code null} when there is none. */
    public InetSocketAddress httpsAddress() {
        return engine.httpsAddress();
    }

    /** Where the admin listener is bound, or {@code null} when it is off. */
    public InetSocketAddress adminAddress() {
        return engine.adminAddress();
    }

    /** The configuration being served. */
    public ProxyConfig config() {
        return engine.config();
    }

    /**
     * Replaces the configuration without dropping a connection. An invalid configuration is
     * rejected and the current one stays.
     *
     * @return the version number of the new configuration
     */
    public long apply(ProxyConfig config) throws ConfigException {
        return engine.apply(config);
    }

    /** Reads the config source again and applies it if valid; never throws for a bad config. */
    public ReloadResult reload() {
        AdminApi.ReloadOutcome outcome = engine.reload().join();
        return new ReloadResult(outcome.applied(), outcome.version(), outcome.message());
    }

    /**
     * Stops accepting connections, lets requests in flight finish for up to {@code drainTimeout},
     * then closes everything. Safe to call more than once.
     */
    public void stop(Duration drainTimeout) {
        engine.stop(drainTimeout);
        stopped.countDown();
    }

    /** Stops with the configured {@code drain_timeout}. */
    @Override
    public void close() {
        stop(engine.config().drainTimeout());
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** What {@link #reload()} did. */
    public record ReloadResult(boolean applied, long version, String message) {
    }

    private static final List<String> BUILT_IN_ADMIN =
            List.of("/metrics", "/health", "/ready", "/config", "/routes", "/upstreams", "/reload");

    /** Configures and starts a proxy. */
    public static final class Builder {
        private ConfigSource source;
        private final Map<String, RouteFilterFactory> filters = new LinkedHashMap<>();
        private int workerThreads = Runtime.getRuntime().availableProcessors();
        private final List<MetricsSource> metrics = new ArrayList<>();
        private TlsContextProvider tls;
        private io.hecate.core.tls.HttpChallengeResponder challenges;
        private final Map<String, AdminEndpoint> endpoints = new LinkedHashMap<>();

        /**
         * Answers ACME HTTP-01 challenges ({@code /.well-known/acme-challenge/TOKEN}) on both
         * listeners, before routing (proxy-tls installs it when it orders certificates).
         */
        public Builder httpChallenges(io.hecate.core.tls.HttpChallengeResponder responder) {
            this.challenges = responder;
            return this;
        }

        /**
         * Adds a read-only JSON endpoint to the admin API ({@code /certs} from proxy-tls, say).
         *
         * @param path starts with {@code /}; must not be one of the built-in endpoints
         */
        public Builder adminEndpoint(String path, AdminEndpoint endpoint) {
            if (path == null || !path.startsWith("/") || BUILT_IN_ADMIN.contains(path)) {
                throw new IllegalArgumentException("admin endpoint path must start with / and not be one of "
                        + BUILT_IN_ADMIN + ", got " + path);
            }
            endpoints.put(path, endpoint);
            return this;
        }

        /**
         * The certificates of the {@code listen.https} listener (proxy-tls provides them). A
         * configuration with {@code listen.https} and no provider is rejected.
         */
        public Builder tls(TlsContextProvider provider) {
            this.tls = provider;
            return this;
        }

        /** Serves a fixed configuration; {@link #apply} replaces it. */
        public Builder config(ProxyConfig config) {
            this.source = new FixedConfigSource(config);
            return this;
        }

        /** Serves what the source says, reloading when it reports a change. */
        public Builder source(ConfigSource configSource) {
            this.source = configSource;
            return this;
        }

        /** Makes a filter type available to routes' {@code filters}. */
        public Builder filter(RouteFilterFactory factory) {
            filters.put(factory.type(), factory);
            return this;
        }

        /** Adds a module's own series to the admin API's {@code /metrics}. */
        public Builder metrics(MetricsSource source) {
            metrics.add(source);
            return this;
        }

        /** Event loop threads for proxied traffic; defaults to one per CPU. */
        public Builder workerThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("workerThreads must be at least 1");
            }
            this.workerThreads = threads;
            return this;
        }

        /** Validates the configuration and binds the listeners. */
        public Hecate start() throws ConfigException {
            if (source == null) {
                throw new IllegalStateException("call config(...) or source(...) first");
            }
            ProxyEngine engine = new ProxyEngine(source, filters, workerThreads, metrics, tls, challenges, endpoints);
            engine.start();
            return new Hecate(engine);
        }
    }

    /** The source behind {@link Builder#config}: the configuration given in code, always the same. */
    private record FixedConfigSource(ProxyConfig config) implements ConfigSource {
        @Override
        public ProxyConfig load() {
            return config;
        }

        @Override
        public String describe() {
            return "code";
        }
    }
}
