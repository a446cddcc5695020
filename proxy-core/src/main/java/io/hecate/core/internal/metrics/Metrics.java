package io.hecate.core.internal.metrics;

import io.hecate.core.internal.limit.LimitMetrics;
import io.hecate.core.internal.upstream.PoolMetrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every metric of one running proxy. Route metrics are keyed by route id and survive reloads, so
 * counters of a route that stays keep counting.
 */
public final class Metrics {

    private final Map<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final PoolMetrics pools = new PoolMetrics();
    private final LongAdder connectionsOpen = new LongAdder();
    private final LongAdder connectionsAccepted = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder reloadsApplied = new LongAdder();
    private final LongAdder reloadsRejected = new LongAdder();
    private final AtomicLong configVersion = new AtomicLong();
    private final LimitMetrics limits = new LimitMetrics();

    public RouteMetrics route(String routeId) {
        return routes.computeIfAbsent(routeId, RouteMetrics::new);
    }

    Map<String, RouteMetrics> routes() {
        return routes;
    }

    public PoolMetrics pools() {
        return pools;
    }

    /** Rate limits, circuit breakers and bulkheads. */
    public LimitMetrics limits() {
        return limits;
    }

    public void connectionOpened() {
        connectionsOpen.increment();
        connectionsAccepted.increment();
    }

    /** A connection over a connection limit, closed at accept. */
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    long connectionsRefused() {
        return connectionsRefused.sum();
    }

    public void connectionClosed() {
        connectionsOpen.decrement();
    }

    long connectionsOpen() {
        return connectionsOpen.sum();
    }

    long connectionsAccepted() {
        return connectionsAccepted.sum();
    }

    public void reloadApplied(long version) {
        reloadsApplied.increment();
        configVersion.set(version);
    }

    public void reloadRejected() {
        reloadsRejected.increment();
    }

    long reloadsApplied() {
        return reloadsApplied.sum();
    }

    long reloadsRejected() {
        return reloadsRejected.sum();
    }

    long configVersion() {
        return configVersion.get();
    }
}
