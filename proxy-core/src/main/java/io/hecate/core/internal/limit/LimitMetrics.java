package io.hecate.core.internal.limit;

import io.hecate.core.internal.upstream.Upstream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The metrics of the edge protections: rate limit decisions by route and limit (counters that
 * survive reloads, like route metrics), the local buckets held, whether each Redis is reachable,
 * and each upstream's circuit breaker and bulkhead. Rendered into the Prometheus exposition.
 */
public final class LimitMetrics {

    /** A route's limit, the labels of its series. */
    record Labels(String route, String limit) {
    }

    /** Decisions of one limit of one route. */
    static final class Counters {
        final LongAdder allowed = new LongAdder();
        final LongAdder refused = new LongAdder();
        final LongAdder fallback = new LongAdder();
    }

    private final Map<Labels, Counters> counters = new ConcurrentHashMap<>();
    private volatile Supplier<Map<Labels, Long>> buckets = Map::of;
    private volatile Supplier<Map<String, Boolean>> redis = Map::of;

    Counters counters(String route, String limit) {
        return counters.computeIfAbsent(new Labels(route, limit), l -> new Counters());
    }

    void sources(Supplier<Map<Labels, Long>> bucketCounts, Supplier<Map<String, Boolean>> redisUp) {
        this.buckets = bucketCounts;
        this.redis = redisUp;
    }

    /** Appends the rate limit, circuit breaker and bulkhead series. */
    public void render(StringBuilder out, List<Upstream> upstreams) {
        header(out, "hecate_rate_limit_requests_total", "counter",
                "Requests a rate limit decided on, by route, limit and result (allowed or refused).");
        counters.forEach((labels, c) -> {
            sample(out, "hecate_rate_limit_requests_total", labels, "result", "allowed", c.allowed.sum());
            sample(out, "hecate_rate_limit_requests_total", labels, "result", "refused", c.refused.sum());
        });
        header(out, "hecate_rate_limit_fallback_total", "counter",
                "Decisions of cluster-scope limits made on this node's local bucket because Redis was unreachable.");
        counters.forEach((labels, c) -> sample(out, "hecate_rate_limit_fallback_total", labels, null, null,
                c.fallback.sum()));
        header(out, "hecate_rate_limit_buckets", "gauge",
                "Buckets held in this node's memory, by route and limit (at most max_keys each; cluster limits: their fallback buckets).");
        buckets.get().forEach((labels, count) -> sample(out, "hecate_rate_limit_buckets", labels, null, null, count));
        header(out, "hecate_rate_limit_redis_up", "gauge",
                "1 while the Redis of cluster-scope limits takes commands, 0 while they fall back to local buckets.");
        redis.get().forEach((address, up) -> out.append("hecate_rate_limit_redis_up{redis=\"").append(escape(address))
                .append("\"} ").append(up ? 1 : 0).append('\n'));

        header(out, "hecate_upstream_circuit_breaker_state", "gauge",
                "1 for the circuit breaker's current state (closed, open, half_open), by upstream.");
        for (Upstream upstream : upstreams) {
            String state = upstream.admission().breakerState();
            if (state != null) {
                for (String s : new String[] {"closed", "open", "half_open"}) {
                    out.append("hecate_upstream_circuit_breaker_state{upstream=\"").append(escape(upstream.name()))
                            .append("\",state=\"").append(s).append("\"} ").append(s.equals(state) ? 1 : 0).append('\n');
                }
            }
        }
        header(out, "hecate_upstream_circuit_breaker_failure_rate", "gauge",
                "Percentage of failed requests in the breaker's window, -1 before minimum_calls.");
        for (Upstream upstream : upstreams) {
            UpstreamAdmission.BreakerMetrics m = upstream.admission().breakerMetrics();
            if (m != null) {
                out.append("hecate_upstream_circuit_breaker_failure_rate{upstream=\"").append(escape(upstream.name()))
                        .append("\"} ").append(m.failureRate()).append('\n');
            }
        }
        header(out, "hecate_upstream_rejected_total", "counter",
                "Requests answered 503 without reaching the upstream, by reason (circuit_open, concurrency).");
        for (Upstream upstream : upstreams) {
            UpstreamAdmission admission = upstream.admission();
            if (admission != UpstreamAdmission.UNLIMITED) {
                String name = escape(upstream.name());
                out.append("hecate_upstream_rejected_total{upstream=\"").append(name).append("\",reason=\"circuit_open\"} ")
                        .append(admission.rejectedCircuitOpen()).append('\n');
                out.append("hecate_upstream_rejected_total{upstream=\"").append(name).append("\",reason=\"concurrency\"} ")
                        .append(admission.rejectedConcurrency()).append('\n');
            }
        }
        header(out, "hecate_upstream_active_requests", "gauge",
                "Requests in flight to the upstream, counted by its bulkhead or circuit breaker.");
        for (Upstream upstream : upstreams) {
            UpstreamAdmission admission = upstream.admission();
            if (admission != UpstreamAdmission.UNLIMITED) {
                out.append("hecate_upstream_active_requests{upstream=\"").append(escape(upstream.name())).append("\"} ")
                        .append(admission.active()).append('\n');
            }
        }
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, Labels labels, String extra, String extraValue,
                               long value) {
        out.append(name).append("{route=\"").append(escape(labels.route())).append("\",limit=\"")
                .append(escape(labels.limit())).append('"');
        if (extra != null) {
            out.append(',').append(extra).append("=\"").append(extraValue).append('"');
        }
        out.append("} ").append(value).append('\n');
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
