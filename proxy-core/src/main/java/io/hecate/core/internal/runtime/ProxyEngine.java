package io.hecate.core.internal.runtime;

import io.hecate.core.MetricsSource;
import io.hecate.core.config.AccessLogConfig;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.ConfigSource;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.filter.RouteFilterFactory;
import io.hecate.core.internal.admin.AdminApi;
import io.hecate.core.internal.admin.AdminServer;
import io.hecate.core.internal.admin.ConfigJson;
import io.hecate.core.internal.admin.UpstreamsJson;
import io.hecate.core.internal.limit.RateLimitFilterFactory;
import io.hecate.core.internal.log.AccessLog;
import io.hecate.core.internal.metrics.Metrics;
import io.hecate.core.internal.metrics.PrometheusText;
import io.hecate.core.internal.server.HttpListener;
import io.hecate.core.internal.transport.Transport;
import io.hecate.core.tls.TlsContextProvider;
import io.hecate.core.internal.upstream.health.ActiveHealthChecker;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Starts, reconfigures and stops one proxy. Applying a configuration is serialised here; the data
 * plane only ever sees whole snapshots.
 */
public final class ProxyEngine implements AdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyEngine.class);

    private final Transport transport = Transport.best();
    private final Metrics metrics = new Metrics();
    private final ProxyRuntime runtime = new ProxyRuntime(transport, metrics);
    private final SnapshotCompiler compiler;
    private final ConfigSource source;
    /** Only with NIO: with epoll every worker accepts its own connections. */
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final EventLoopGroup adminLoop;
    private final EventLoopGroup healthLoop;
    private final ActiveHealthChecker healthChecker;
    private final RateLimitFilterFactory rateLimits = new RateLimitFilterFactory(metrics.limits());
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "hecate-reload");
        thread.setDaemon(true);
        return thread;
    });

    private final List<MetricsSource> extraMetrics;
    private HttpListener listener;
    private HttpListener httpsListener;
    private final TlsContextProvider tls;
    private final Map<String, io.hecate.core.AdminEndpoint> endpoints;
    private AdminServer admin;
    private volatile boolean ready;
    private volatile boolean stopped;
    private volatile String appliedAt;
    private volatile String lastError;

    public ProxyEngine(ConfigSource source, Map<String, RouteFilterFactory> filters, int workerThreads,
                       List<MetricsSource> extraMetrics) {
        this(source, filters, workerThreads, extraMetrics, null);
    }

    /** @param tls the certificates of the {@code listen.https} listener, or {@code null} when there is none */
    public ProxyEngine(ConfigSource source, Map<String, RouteFilterFactory> filters, int workerThreads,
                       List<MetricsSource> extraMetrics, TlsContextProvider tls) {
        this(source, filters, workerThreads, extraMetrics, tls, null, Map.of());
    }

    /**
     * @param challenges answers ACME HTTP-01 challenges before routing, or {@code null}
     * @param endpoints  modules' admin endpoints by path
     */
    public ProxyEngine(ConfigSource source, Map<String, RouteFilterFactory> filters, int workerThreads,
                       List<MetricsSource> extraMetrics, TlsContextProvider tls,
                       io.hecate.core.tls.HttpChallengeResponder challenges,
                       Map<String, io.hecate.core.AdminEndpoint> endpoints) {
        this.tls = tls;
        this.endpoints = Map.copyOf(endpoints);
        runtime.challenges(challenges);
        this.extraMetrics = List.copyOf(extraMetrics);
        this.source = source;
        this.compiler = new SnapshotCompiler(withBuiltIns(filters), metrics, runtime.health(), runtime.admissions());
        this.acceptor = transport == Transport.EPOLL ? null : transport.newGroup(1, "hecate-accept");
        this.workers = transport.newGroup(workerThreads, "hecate-worker");
        this.adminLoop = transport.newGroup(1, "hecate-admin");
        this.healthLoop = transport.newGroup(1, "hecate-health");
        this.healthChecker = new ActiveHealthChecker(healthLoop.next(), transport.socketChannel(), runtime.resolver());
    }

    /** The built-in filter types, unless the embedding application registered its own of the same type. */
    private Map<String, RouteFilterFactory> withBuiltIns(Map<String, RouteFilterFactory> registered) {
        Map<String, RouteFilterFactory> all = new java.util.LinkedHashMap<>();
        all.put(rateLimits.type(), rateLimits);
        all.putAll(registered);
        return all;
    }

    /** Loads the first configuration and binds the listeners; on failure nothing stays bound. */
    public synchronized void start() throws ConfigException {
        try {
            ProxyConfig config = source.load();
            Snapshot first = compiler.compile(config, 1);
            requireTls(config);
            runtime.publish(first);
            healthFollows(first);
            runtime.swapAccessLog(openAccessLog(config.accessLog()));
            listener = bindHttp(config.listen().http());
            if (config.listen().https() != null) {
                httpsListener = bindHttps(config.listen().https());
            }
            if (config.admin().enabled()) {
                admin = bindAdmin(config.admin().listen());
            }
            metrics.reloadApplied(first.version());
            appliedAt = Instant.now().toString();
            ready = true;
            LOG.info("Hecate listening on http://{}{} ({}{}), admin {}, {} routes from {}",
                    hostPort(listener.localAddress()),
                    httpsListener == null ? "" : " and https://" + hostPort(httpsListener.localAddress()), transport.name().toLowerCase(java.util.Locale.ROOT),
                    transport == Transport.EPOLL ? "" : ": " + Transport.epollUnavailableReason(),
                    admin == null ? "off" : "on http://" + hostPort(admin.localAddress()), config.routes().size(), source.describe());
        } catch (ConfigException | RuntimeException e) {
            shutdownQuietly();
            throw e;
        }
        source.watch(() -> reload().thenAccept(outcome -> { }));
    }

    public InetSocketAddress httpAddress() {
        return listener.localAddress();
    }

    /** Where the HTTPS listener is bound, or {@code null} when there is none. */
    public InetSocketAddress httpsAddress() {
        HttpListener https = httpsListener;
        return https == null ? null : https.localAddress();
    }

    /** An HTTPS listener needs certificates: without a provider the configuration is rejected. */
    private void requireTls(ProxyConfig config) throws ConfigException {
        if (config.listen().https() != null && tls == null) {
            throw new ConfigException(List.of(new ConfigProblem(null, 0, "listen.https",
                    "needs certificates: add the proxy-tls module (Hecate.builder().tls(...)) or remove listen.https")));
        }
    }

    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.localAddress();
    }

    public ProxyConfig config() {
        return runtime.snapshot().config();
    }

    /**
     * Applies a new configuration atomically: listeners that moved are bound before the old ones
     * close, and connections in flight keep the snapshot they started with.
     */
    public synchronized long apply(ProxyConfig config) throws ConfigException {
        if (stopped) {
            throw new IllegalStateException("the proxy is stopped");
        }
        Snapshot current = runtime.snapshot();
        Snapshot next;
        try {
            next = compiler.compile(config, current.version() + 1);
            requireTls(config);
        } catch (ConfigException e) {
            rejected(e.getMessage());
            throw e;
        }
        ProxyConfig old = current.config();
        HttpListener newListener = null;
        HttpListener newHttps = null;
        boolean httpsMoved = !Objects.equals(old.listen().https(), config.listen().https());
        AdminServer newAdmin = null;
        AccessLog newLog = null;
        try {
            if (!old.listen().http().equals(config.listen().http())) {
                newListener = bindHttp(config.listen().http());
            }
            if (httpsMoved && config.listen().https() != null) {
                newHttps = bindHttps(config.listen().https());
            }
            if (!Objects.equals(old.admin().listen(), config.admin().listen()) && config.admin().enabled()) {
                newAdmin = bindAdmin(config.admin().listen());
            }
            if (!old.accessLog().equals(config.accessLog())) {
                newLog = openAccessLog(config.accessLog());
            }
        } catch (ConfigException | RuntimeException e) {
            if (newListener != null) {
                newListener.close();
            }
            if (newHttps != null) {
                newHttps.close();
            }
            if (newAdmin != null) {
                newAdmin.close();
            }
            rejected(e.getMessage());
            throw e;
        }
        runtime.publish(next);
        healthFollows(next);
        if (newListener != null) {
            listener.close();
            listener = newListener;
        }
        if (httpsMoved) {
            if (httpsListener != null) {
                httpsListener.close();
            }
            httpsListener = newHttps;
        }
        if (!Objects.equals(old.admin().listen(), config.admin().listen())) {
            if (admin != null) {
                admin.close();
            }
            admin = newAdmin;
        }
        if (newLog != null || !config.accessLog().equals(old.accessLog())) {
            AccessLog previous = runtime.swapAccessLog(newLog);
            if (previous != null) {
                previous.close();
            }
        }
        metrics.reloadApplied(next.version());
        appliedAt = Instant.now().toString();
        lastError = null;
        LOG.info("configuration version {} applied: {} routes, {} upstreams", next.version(),
                config.routes().size(), config.upstreams().size());
        return next.version();
    }

    /**
     * After a snapshot is published: the health registry forgets targets it no longer has, and the
     * active checks follow its upstreams.
     */
    private void healthFollows(Snapshot published) {
        runtime.health().retain(published.config().upstreams());
        runtime.admissions().retain(published.expanded().upstreams().keySet());
        healthChecker.update(published.upstreams().values());
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private void rejected(String why) {
        metrics.reloadRejected();
        lastError = why;
        LOG.error("configuration rejected, still serving version {}:\n{}", runtime.snapshot().version(), why);
    }

    @Override
    public CompletableFuture<ReloadOutcome> reload() {
        return CompletableFuture.supplyAsync(this::reloadNow, reloads);
    }

    private ReloadOutcome reloadNow() {
        ProxyConfig config;
        try {
            config = source.load();
        } catch (ConfigException e) {
            rejected(e.getMessage());
            return stillServing(e);
        }
        try {
            long version = apply(config);
            return new ReloadOutcome(true, version, "applied configuration version " + version);
        } catch (ConfigException e) {
            source.rejected(config, e);
            return stillServing(e);
        } catch (IllegalStateException e) {
            return new ReloadOutcome(false, 0, e.getMessage());
        }
    }

    private ReloadOutcome stillServing(ConfigException e) {
        long version = runtime.snapshot().version();
        return new ReloadOutcome(false, version, "rejected, still serving version " + version + ":\n" + e.getMessage());
    }

    /**
     * Stops accepting, lets exchanges in flight finish until the deadline, then closes whatever is
     * left. Connections between requests close at once; others get {@code Connection: close}.
     */
    public void stop(Duration drainTimeout) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            ready = false;
        }
        runtime.startDraining();
        listener.close();
        if (httpsListener != null) {
            httpsListener.close();
        }
        HttpListener.drain(runtime);
        try {
            if (!runtime.downstreams().newCloseFuture().await(drainTimeout.toMillis())) {
                LOG.warn("{} connections still busy after {}ms; closing them", runtime.downstreams().size(),
                        drainTimeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Upgraded connections (WebSocket) never end by themselves: they close last, once HTTP drained.
        runtime.upgraded().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownQuietly();
        LOG.info("Hecate stopped");
    }

    private void shutdownQuietly() {
        ready = false;
        runtime.downstreams().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (listener != null) {
            listener.close();
        }
        if (httpsListener != null) {
            httpsListener.close();
        }
        if (admin != null) {
            admin.close();
        }
        source.close();
        reloads.shutdownNow();
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        adminLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        healthChecker.stop();
        healthLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        rateLimits.close();
        runtime.close();
        AccessLog log = runtime.swapAccessLog(null);
        if (log != null) {
            log.close();
        }
    }

    private HttpListener bindHttp(ListenAddress address) throws ConfigException {
        try {
            return HttpListener.bind(transport, acceptor, workers, runtime, address);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw bindFailed("listen.http", address, e);
        } catch (Exception e) {
            // Netty rethrows the bind failure (an IOException) from sync() without declaring it.
            throw bindFailed("listen.http", address, e);
        }
    }

    private HttpListener bindHttps(ListenAddress address) throws ConfigException {
        try {
            return HttpListener.bind(transport, acceptor, workers, runtime, address, tls);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw bindFailed("listen.https", address, e);
        } catch (Exception e) {
            // Netty rethrows the bind failure (an IOException) from sync() without declaring it.
            throw bindFailed("listen.https", address, e);
        }
    }

    private AdminServer bindAdmin(ListenAddress address) throws ConfigException {
        try {
            return AdminServer.bind(transport, adminLoop, address, this);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw bindFailed("admin.listen", address, e);
        } catch (Exception e) {
            // Netty rethrows the bind failure (an IOException) from sync() without declaring it.
            throw bindFailed("admin.listen", address, e);
        }
    }

    private static ConfigException bindFailed(String key, ListenAddress address, Exception cause) {
        return new ConfigException(List.of(new ConfigProblem(null, 0, key,
                "cannot listen on " + address + ": " + cause.getMessage())));
    }

    private AccessLog openAccessLog(AccessLogConfig config) throws ConfigException {
        try {
            return AccessLog.open(config, runtime.accessLogDropped());
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(null, 0, "access_log.output",
                    "cannot open " + config.output() + ": " + e.getMessage())));
        }
    }

    @Override
    public boolean ready() {
        return ready && !runtime.draining();
    }

    @Override
    public String metricsText() {
        Snapshot snapshot = runtime.snapshot();
        StringBuilder text = new StringBuilder(PrometheusText.render(metrics, runtime.accessLogDropped()::sum,
                snapshot == null ? List.of() : snapshot.upstreamsInOrder(), runtime.health().now()));
        for (MetricsSource source : extraMetrics) {
            source.renderTo(text);
        }
        return text.toString();
    }

    @Override
    public String configJson() {
        Snapshot snapshot = runtime.snapshot();
        return ConfigJson.render(snapshot.config(), snapshot.version(), source.describe(), appliedAt, lastError);
    }

    @Override
    public io.hecate.core.AdminEndpoint endpoint(String path) {
        return endpoints.get(path);
    }

    @Override
    public String routesJson() {
        return ConfigJson.routes(runtime.snapshot().expanded());
    }

    @Override
    public String upstreamsJson() {
        return UpstreamsJson.render(runtime.snapshot().upstreamsInOrder(), runtime.health().now());
    }
}
