package io.hecate.agent.consul.internal;

import com.google.gson.GsonBuilder;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How the sync with Consul stands, as JSON for {@code GET /consul} and as Prometheus metrics. */
public record SyncReport(String consul, ConsulState state, List<ConfigAssembly.Rejection> rejections,
                         Instant lastApply, Instant servingCacheFrom) {

    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("consul", consul);
        root.put("reachable", state.reachable());
        root.put("last_apply", lastApply == null ? null : lastApply.toString());
        root.put("serving_cache_from", servingCacheFrom == null ? null : servingCacheFrom.toString());
        Map<String, Object> documents = new LinkedHashMap<>();
        documents.put("routes", state.routes().size());
        documents.put("upstreams", state.upstreams().size());
        documents.put("services", state.serviceTags().size());
        root.put("documents", documents);
        List<Map<String, Object>> watches = new ArrayList<>();
        state.watches().values().forEach(w -> {
            Map<String, Object> watch = new LinkedHashMap<>();
            watch.put("query", w.query());
            watch.put("index", w.index());
            watch.put("last_change", w.lastChange() == null ? null : w.lastChange().toString());
            watch.put("last_error_at", w.lastError() == null ? null : w.lastError().toString());
            watch.put("error", w.error());
            watch.put("errors", w.errors());
            watches.add(watch);
        });
        root.put("watches", watches);
        List<Map<String, String>> rejected = new ArrayList<>();
        rejections.forEach(r -> rejected.add(Map.of("source", r.source(), "error", r.message())));
        root.put("rejected", rejected);
        return new GsonBuilder().serializeNulls().setPrettyPrinting().create().toJson(root) + "\n";
    }

    public void renderMetrics(StringBuilder out) {
        out.append("# HELP hecate_consul_reachable Whether the last query of every Consul watch was answered.\n");
        out.append("# TYPE hecate_consul_reachable gauge\n");
        out.append("hecate_consul_reachable ").append(state.reachable() ? 1 : 0).append('\n');
        out.append("# HELP hecate_consul_index The Consul index each watch last saw.\n");
        out.append("# TYPE hecate_consul_index gauge\n");
        state.watches().values().forEach(w -> out.append("hecate_consul_index{query=\"").append(w.query())
                .append("\"} ").append(w.index()).append('\n'));
        out.append("# HELP hecate_consul_errors_total Failed queries per Consul watch.\n");
        out.append("# TYPE hecate_consul_errors_total counter\n");
        state.watches().values().forEach(w -> out.append("hecate_consul_errors_total{query=\"").append(w.query())
                .append("\"} ").append(w.errors()).append('\n'));
        out.append("# HELP hecate_consul_last_apply_timestamp_seconds When a configuration joined with Consul's"
                + " documents was last assembled.\n");
        out.append("# TYPE hecate_consul_last_apply_timestamp_seconds gauge\n");
        out.append("hecate_consul_last_apply_timestamp_seconds ")
                .append(lastApply == null ? 0 : lastApply.toEpochMilli() / 1000.0).append('\n');
        out.append("# HELP hecate_consul_rejected_documents Consul documents (or problems in them) left out of the"
                + " configuration in force.\n");
        out.append("# TYPE hecate_consul_rejected_documents gauge\n");
        out.append("hecate_consul_rejected_documents ").append(rejections.size()).append('\n');
    }
}
