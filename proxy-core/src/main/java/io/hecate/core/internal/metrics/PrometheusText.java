package io.hecate.core.internal.metrics;

import io.hecate.core.internal.upstream.PoolMetrics;
import io.hecate.core.internal.upstream.Target;
import io.hecate.core.internal.upstream.TargetHealth;
import io.hecate.core.internal.upstream.Upstream;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** Renders {@link Metrics} in the Prometheus text exposition format (version 0.0.4). */
public final class PrometheusText {

    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
    private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private PrometheusText() {
    }

    public static String render(Metrics metrics, LongSupplier accessLogDropped) {
        return render(metrics, accessLogDropped, List.of(), 0);
    }

    /**
     * @param upstreams the upstreams of the active snapshot, whose targets' health is rendered
     * @param nowNanos  the health clock's now
     */
    public static String render(Metrics metrics, LongSupplier accessLogDropped, List<Upstream> upstreams,
                                long nowNanos) {
        StringBuilder out = new StringBuilder(4096);
        header(out, "hecate_requests_total", "counter", "Requests answered, by route and status class.");
        for (RouteMetrics route : metrics.routes().values()) {
            for (int i = 0; i < STATUS_CLASSES.length; i++) {
                long count = route.requests(i);
                if (count > 0) {
                    out.append("hecate_requests_total{route=\"").append(escape(route.routeId()))
                            .append("\",status=\"").append(STATUS_CLASSES[i]).append("\"} ").append(count).append('\n');
                }
            }
        }
        header(out, "hecate_request_duration_seconds", "summary", "Time from request head to response end.");
        for (RouteMetrics route : metrics.routes().values()) {
            Histogram latency = route.latencySnapshot();
            String label = "route=\"" + escape(route.routeId()) + "\"";
            for (double q : QUANTILES) {
                out.append("hecate_request_duration_seconds{").append(label).append(",quantile=\"").append(q).append("\"} ")
                        .append(seconds(latency.getValueAtPercentile(q * 100))).append('\n');
            }
            out.append("hecate_request_duration_seconds_sum{").append(label).append("} ")
                    .append(seconds((long) (latency.getMean() * latency.getTotalCount()))).append('\n');
            out.append("hecate_request_duration_seconds_count{").append(label).append("} ")
                    .append(latency.getTotalCount()).append('\n');
        }
        header(out, "hecate_request_bytes_total", "counter", "Request body bytes received, by route.");
        metrics.routes().values().forEach(r -> sample(out, "hecate_request_bytes_total", "route", r.routeId(), r.bytesIn()));
        header(out, "hecate_response_bytes_total", "counter", "Response body bytes sent, by route.");
        metrics.routes().values().forEach(r -> sample(out, "hecate_response_bytes_total", "route", r.routeId(), r.bytesOut()));

        header(out, "hecate_downstream_connections", "gauge", "Open downstream connections.");
        out.append("hecate_downstream_connections ").append(metrics.connectionsOpen()).append('\n');
        header(out, "hecate_downstream_connections_total", "counter", "Accepted downstream connections.");
        out.append("hecate_downstream_connections_total ").append(metrics.connectionsAccepted()).append('\n');
        header(out, "hecate_downstream_connections_refused_total", "counter",
                "Connections closed at accept because of listen.max_connections or max_connections_per_client.");
        out.append("hecate_downstream_connections_refused_total ").append(metrics.connectionsRefused()).append('\n');

        Map<String, PoolMetrics.Gauges> pools = metrics.pools().byTarget();
        header(out, "hecate_upstream_connections", "gauge", "Open upstream connections, by target.");
        pools.forEach((target, g) -> sample(out, "hecate_upstream_connections", "target", target, g.open()));
        header(out, "hecate_upstream_connections_idle", "gauge", "Pooled idle upstream connections, by target.");
        pools.forEach((target, g) -> sample(out, "hecate_upstream_connections_idle", "target", target, g.idle()));
        header(out, "hecate_upstream_connections_opened_total", "counter", "Upstream connections opened, by target.");
        pools.forEach((target, g) -> sample(out, "hecate_upstream_connections_opened_total", "target", target, g.opened()));
        header(out, "hecate_upstream_connections_reused_total", "counter", "Exchanges that reused a pooled connection, by target.");
        pools.forEach((target, g) -> sample(out, "hecate_upstream_connections_reused_total", "target", target, g.reused()));

        header(out, "hecate_upstream_target_healthy", "gauge",
                "1 when the target takes requests (passing active checks, not ejected), else 0.");
        targets(out, upstreams, "hecate_upstream_target_healthy", h -> h.available(nowNanos) ? 1 : 0);
        header(out, "hecate_upstream_target_ejections_total", "counter",
                "Times outlier detection ejected the target since it joined the configuration.");
        targets(out, upstreams, "hecate_upstream_target_ejections_total", TargetHealth::ejections);
        header(out, "hecate_upstream_target_active_requests", "gauge", "Tries in flight against the target.");
        targets(out, upstreams, "hecate_upstream_target_active_requests", TargetHealth::active);

        metrics.limits().render(out, upstreams);

        header(out, "hecate_config_reloads_total", "counter", "Configuration reloads, by result.");
        out.append("hecate_config_reloads_total{result=\"applied\"} ").append(metrics.reloadsApplied()).append('\n');
        out.append("hecate_config_reloads_total{result=\"rejected\"} ").append(metrics.reloadsRejected()).append('\n');
        header(out, "hecate_config_version", "gauge", "Version of the active configuration, counting from 1.");
        out.append("hecate_config_version ").append(metrics.configVersion()).append('\n');

        header(out, "hecate_access_log_dropped_total", "counter", "Access log lines dropped because the writer fell behind.");
        out.append("hecate_access_log_dropped_total ").append(accessLogDropped.getAsLong()).append('\n');

        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric allocated = provider.metric();
            header(out, "hecate_buffer_memory_bytes", "gauge", "Memory held by the buffer allocator, by kind.");
            out.append("hecate_buffer_memory_bytes{kind=\"direct\"} ").append(allocated.usedDirectMemory()).append('\n');
            out.append("hecate_buffer_memory_bytes{kind=\"heap\"} ").append(allocated.usedHeapMemory()).append('\n');
        }
        return out.toString();
    }

    private static void targets(StringBuilder out, List<Upstream> upstreams, String name,
                                java.util.function.ToLongFunction<TargetHealth> value) {
        for (Upstream upstream : upstreams) {
            for (Target target : upstream.targets()) {
                out.append(name).append("{upstream=\"").append(escape(upstream.name()))
                        .append("\",target=\"").append(escape(target.key())).append("\"} ")
                        .append(value.applyAsLong(target.health())).append('\n');
            }
        }
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String label, String value, long sample) {
        out.append(name).append('{').append(label).append("=\"").append(escape(value)).append("\"} ").append(sample).append('\n');
    }

    private static String seconds(long micros) {
        return Double.toString(micros / 1_000_000.0);
    }

    private static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
