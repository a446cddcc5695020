package io.hecate.agent.consul;

import io.hecate.agent.consul.internal.CatalogWatcher;
import io.hecate.agent.consul.internal.ConfigAssembly;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulState;
import io.hecate.agent.consul.internal.KvLayout;
import io.hecate.agent.consul.internal.KvWatcher;
import io.hecate.agent.consul.internal.StateCache;
import io.hecate.agent.consul.internal.SyncReport;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigSource;
import io.hecate.core.config.Durations;
import io.hecate.core.config.ProxyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A configuration file joined with the routes and upstreams Consul holds: KV documents under the
 * prefix and services of the catalog tagged {@code hecate.enable=true}. Blocking watches follow
 * Consul on threads of their own; a burst of changes becomes one reload; every reload validates
 * the joined whole and leaves out the documents that are wrong (see {@link ConfigAssembly}). When
 * Consul cannot be reached, the last answers stay in force, indefinitely.
 *
 * <pre>{@code
 * ConsulConfigSource source = new ConsulConfigSource(new YamlConfigFile(file), settings);
 * source.awaitFirstSync(Duration.ofSeconds(5));
 * Hecate hecate = Hecate.builder().source(source)
 *         .adminEndpoint("/consul", source::statusJson).metrics(source::renderMetrics).start();
 * }</pre>
 */
public final class ConsulConfigSource implements ConfigSource {

    private static final Logger LOG = LoggerFactory.getLogger(ConsulConfigSource.class);
    /** Long enough to fold a transaction's or a deploy's burst of answers into one reload, short enough to feel instant. */
    private static final Duration COALESCE = Duration.ofMillis(50);

    private final ConfigSource file;
    private final ConsulSettings settings;
    private final ConsulConnection consul;
    private final boolean ownsConnection;
    private final ConsulState state = new ConsulState();
    private final ConfigAssembly assembly;
    private final KvWatcher kv;
    private final CatalogWatcher catalog;
    private final ScheduledExecutorService applier = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "consul-apply");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean applyPending = new AtomicBoolean();
    private volatile Runnable onChange = () -> { };
    private volatile List<ConfigAssembly.Rejection> rejections = List.of();
    private volatile Instant lastApply;
    private volatile Instant cachedAt;
    private final StateCache cache;
    private long keptVersion = -1;
    private boolean started;

    /** @throws IOException when the TLS files of {@code consul.tls} cannot be read */
    public ConsulConfigSource(ConfigSource file, ConsulSettings settings) throws IOException {
        this(file, settings, ConsulConnection.open(settings), true);
    }

    /** On a connection that outlives the source (the agent's, which deregisters after Hecate stopped). */
    ConsulConfigSource(ConfigSource file, ConsulSettings settings, ConsulConnection consul, boolean ownsConnection) {
        this.file = file;
        this.settings = settings;
        this.consul = consul;
        this.ownsConnection = ownsConnection;
        this.assembly = new ConfigAssembly(new KvLayout(settings.prefix()));
        this.kv = settings.kv() ? new KvWatcher(consul, state, new KvLayout(settings.prefix()), settings.allowEmpty(),
                this::changed) : null;
        this.catalog = settings.catalog() == null ? null
                : new CatalogWatcher(consul, state, settings.catalog().health(), this::changed);
        this.cache = settings.cacheFile() == null ? null : new StateCache(settings.cacheFile());
    }

    /**
     * Starts the watches and waits, at most {@code timeout}, for Consul's first answers, so that the
     * first configuration already has Consul's routes. Without an answer it goes on: the file's
     * routes are served, and Consul's join them when it answers.
     *
     * @return whether every watch had answered
     */
    public boolean awaitFirstSync(Duration timeout) throws InterruptedException {
        startWatches();
        if (state.awaitWatches(this::firstAnswersIn, timeout)) {
            return true;
        }
        if (!servedFromCache()) {
            LOG.warn("Consul at {} has not answered within {}: starting with the file's routes only; Consul's join"
                    + " when it answers", consul.describe(), Durations.format(timeout));
        }
        return false;
    }

    /** Without Consul's answers at start, its answers of an earlier run, from {@code consul.cache_file}. */
    private boolean servedFromCache() {
        if (cache == null) {
            return false;
        }
        try {
            Instant written = cache.restore(state);
            if (written != null) {
                cachedAt = written;
                LOG.warn("Consul at {} has not answered: serving the routes and upstreams it gave at {}, kept in {},"
                        + " until it answers", consul.describe(), written, cache.file());
                return true;
            }
        } catch (IOException e) {
            LOG.warn("cannot use consul.cache_file: {}", e.getMessage());
        }
        return false;
    }

    private boolean firstAnswersIn() {
        var watches = state.watches();
        boolean kvIn = kv == null || (watches.containsKey("kv " + new KvLayout(settings.prefix()).routes())
                && watches.get("kv " + new KvLayout(settings.prefix()).routes()).lastChange() != null
                && watches.containsKey("kv " + new KvLayout(settings.prefix()).upstreams())
                && watches.get("kv " + new KvLayout(settings.prefix()).upstreams()).lastChange() != null);
        boolean catalogIn = catalog == null || state.serviceTags().keySet().stream()
                .allMatch(service -> state.instances().containsKey(service))
                && watches.containsKey("catalog services") && watches.get("catalog services").lastChange() != null;
        return kvIn && catalogIn;
    }

    private synchronized void startWatches() {
        if (started) {
            return;
        }
        started = true;
        if (kv != null) {
            kv.start();
        }
        if (catalog != null) {
            catalog.start();
        }
    }

    @Override
    public synchronized ProxyConfig load() throws ConfigException {
        ProxyConfig base = file.load();
        ConfigAssembly.Result result = assembly.assemble(base, state);
        List<ConfigAssembly.Rejection> previous = rejections;
        for (ConfigAssembly.Rejection rejection : result.rejections()) {
            if (!previous.contains(rejection)) {
                LOG.warn("rejected {}", rejection);
            }
        }
        rejections = List.copyOf(result.rejections());
        lastApply = Instant.now();
        keep();
        return result.config();
    }

    /** Keeps Consul's answers for the next start, once they are complete and newer than the kept ones. */
    private void keep() {
        long version = state.version();
        if (cache == null || version == keptVersion || !firstAnswersIn() || !state.reachable()) {
            return;
        }
        try {
            cache.save(state);
            keptVersion = version;
            cachedAt = null;
        } catch (IOException e) {
            LOG.warn("cannot write consul.cache_file {}: {}", cache.file(), e.getMessage());
        }
    }

    /** Leaves out the Consul documents the proxy could not apply, and assembles again without them. */
    @Override
    public synchronized void rejected(ProxyConfig config, ConfigException problems) {
        List<ConfigAssembly.Rejection> unusable = assembly.rejected(problems);
        if (unusable.isEmpty()) {
            return;
        }
        unusable.forEach(rejection -> LOG.warn("rejected {}", rejection));
        List<ConfigAssembly.Rejection> all = new java.util.ArrayList<>(rejections);
        all.addAll(unusable);
        rejections = List.copyOf(all);
        changed();
    }

    @Override
    public void watch(Runnable onChange) {
        this.onChange = onChange;
        file.watch(onChange);
        startWatches();
        // Answers that came between the first load and now found no one to tell.
        changed();
    }

    /** Called by the watches: one reload for a burst of changes, {@link #COALESCE} after its first. */
    private void changed() {
        if (applyPending.compareAndSet(false, true)) {
            applier.schedule(() -> {
                applyPending.set(false);
                onChange.run();
            }, COALESCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public String describe() {
        return file.describe() + " + consul " + consul.describe() + " (" + settings.prefix() + ")";
    }

    /** The sync status for {@code GET /consul}: answers from memory. */
    public String statusJson() {
        return report().json();
    }

    /** Sync metrics for {@code /metrics}: answers from memory. */
    public void renderMetrics(StringBuilder out) {
        report().renderMetrics(out);
    }

    private SyncReport report() {
        Instant cached = cachedAt;
        return new SyncReport(consul.describe(), state, rejections, lastApply,
                cached != null && !firstAnswersIn() ? cached : null);
    }

    @Override
    public void close() {
        if (kv != null) {
            kv.close();
        }
        if (catalog != null) {
            catalog.close();
        }
        applier.shutdownNow();
        file.close();
        if (ownsConnection) {
            consul.close();
        }
    }
}
