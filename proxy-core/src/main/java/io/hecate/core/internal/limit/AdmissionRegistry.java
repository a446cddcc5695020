package io.hecate.core.internal.limit;

import io.hecate.core.config.UpstreamConfig;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admission (circuit breaker and bulkhead) of every upstream name of a running proxy, kept
 * across reloads: a snapshot whose upstream has the same breaker and limit settings gets the same
 * admission back, with the breaker's state and window; changed settings get a new breaker (closed,
 * empty window). The count of requests in flight carries over, so a lowered limit applies to the
 * requests already in flight (an upstream without breaker and limit counts nothing, so a limit
 * added to it starts from zero).
 */
public final class AdmissionRegistry {

    private final Map<String, UpstreamAdmission> admissions = new ConcurrentHashMap<>();
    private final Map<String, Concurrency> concurrency = new ConcurrentHashMap<>();

    /** Called by the snapshot compiler on the reload thread. */
    public UpstreamAdmission admission(String upstream, UpstreamConfig config) {
        return admissions.compute(upstream, (name, current) -> {
            if (current != null && current != UpstreamAdmission.UNLIMITED && current.sameSettings(config)) {
                return current;
            }
            if (config.circuitBreaker() == null && config.maxConcurrentRequests() <= 0) {
                // Nothing to enforce: nothing counted either, so the hot path touches no shared counter.
                return UpstreamAdmission.UNLIMITED;
            }
            return new UpstreamAdmission(name, config.circuitBreaker(), config.maxConcurrentRequests(),
                    concurrency.computeIfAbsent(name, n -> new Concurrency()));
        });
    }

    /** Forgets upstreams the applied configuration no longer has. */
    public void retain(Collection<String> upstreams) {
        admissions.keySet().retainAll(upstreams);
        concurrency.keySet().retainAll(upstreams);
    }
}
