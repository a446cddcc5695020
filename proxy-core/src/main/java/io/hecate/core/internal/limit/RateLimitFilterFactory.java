package io.hecate.core.internal.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.TimeMeter;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.filter.RouteFilterFactory;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes the built-in {@code rate_limit} filters (registered by the engine, so routes can use them
 * without the embedding application registering anything). Settings: {@link RateLimitSettings}.
 *
 * <p>The buckets outlive snapshots: a route that keeps its id and a limit that keeps its settings
 * find their buckets again after a reload. Bucket stores are held weakly here and strongly by the
 * filters, so the stores of a removed route go once no snapshot in use has it. One Redis link per
 * distinct Redis setting, and one Lettuce I/O thread for them all, live until {@link #close()}.
 */
public final class RateLimitFilterFactory implements RouteFilterFactory, AutoCloseable {

    public static final String TYPE = "rate_limit";
    private static final Duration RECONNECT_DELAY_MAX = Duration.ofSeconds(5);

    /** One store of local buckets: the route, the limit, and whether it is a cluster limit's fallback. */
    private record StoreKey(String route, LimitSpec spec, boolean fallback) {
    }

    private final LimitMetrics metrics;
    private final TimeMeter clock;
    private final Cache<StoreKey, LocalBuckets> stores = Caffeine.newBuilder().weakValues().executor(Runnable::run).build();
    private final Map<RateLimitSettings.RedisSettings, RedisLink> links = new ConcurrentHashMap<>();
    private ClientResources redisResources;
    private boolean closed;

    public RateLimitFilterFactory(LimitMetrics metrics) {
        this(metrics, TimeMeter.SYSTEM_NANOTIME);
    }

    /** @param clock the buckets' clock (tests pass their own) */
    RateLimitFilterFactory(LimitMetrics metrics, TimeMeter clock) {
        this.metrics = metrics;
        this.clock = clock;
        metrics.sources(this::bucketCounts, this::redisUp);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public RouteFilter create(FilterConfig config) {
        return create("", config);
    }

    @Override
    public RouteFilter create(RouteConfig route, FilterConfig config) {
        return create(route.id(), config);
    }

    RateLimitFilter create(String routeId, FilterConfig config) {
        RateLimitSettings settings = RateLimitSettings.parse(config);
        RedisLink link = settings.redis() == null || settings.limits().stream().noneMatch(LimitSpec::cluster)
                ? null : link(settings.redis());
        RateLimitFilter.Limit[] limits = new RateLimitFilter.Limit[settings.limits().size()];
        for (int i = 0; i < limits.length; i++) {
            LimitSpec spec = settings.limits().get(i);
            LimitMetrics.Counters counters = metrics.counters(routeId, spec.name());
            LocalBuckets local = stores.get(new StoreKey(routeId, spec, spec.cluster()), k -> new LocalBuckets(spec, clock));
            ClusterBuckets cluster = spec.cluster() ? new ClusterBuckets(spec, routeId, link, local, counters) : null;
            limits[i] = new RateLimitFilter.Limit(spec, spec.cluster() ? null : local, cluster, counters,
                    RateLimitHeaders.policy(spec));
        }
        return new RateLimitFilter(routeId, limits, settings.headersAlways());
    }

    private synchronized RedisLink link(RateLimitSettings.RedisSettings settings) {
        if (closed) {
            throw new IllegalStateException("the proxy is stopped");
        }
        RedisLink link = links.get(settings);
        if (link == null) {
            if (redisResources == null) {
                // Lettuce's own small thread group (its minimum of I/O threads, one computation
                // thread); a lost connection is re-made in the background, 50 ms to 5 s apart.
                redisResources = DefaultClientResources.builder()
                        .ioThreadPoolSize(1)
                        .computationThreadPoolSize(1)
                        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), RECONNECT_DELAY_MAX, 2,
                                TimeUnit.MILLISECONDS))
                        .build();
            }
            link = new RedisLink(settings, redisResources);
            links.put(settings, link);
        }
        return link;
    }

    /** Local buckets held, by route and limit, for the metrics. */
    Map<LimitMetrics.Labels, Long> bucketCounts() {
        Map<LimitMetrics.Labels, Long> counts = new HashMap<>();
        stores.asMap().forEach((key, buckets) -> counts.merge(new LimitMetrics.Labels(key.route(), key.spec().name()),
                buckets.size(), Long::sum));
        return counts;
    }

    private Map<String, Boolean> redisUp() {
        Map<String, Boolean> up = new HashMap<>();
        links.values().forEach(link -> up.merge(link.address(), link.up(), Boolean::logicalAnd));
        return up;
    }

    /** Closes the Redis connections and Lettuce's thread; called when the proxy stops. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        links.values().forEach(RedisLink::close);
        links.clear();
        if (redisResources != null) {
            redisResources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
