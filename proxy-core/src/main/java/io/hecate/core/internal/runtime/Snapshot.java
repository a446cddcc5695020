package io.hecate.core.internal.runtime;

import io.hecate.core.config.ProxyConfig;
import io.hecate.core.internal.http.TrustedProxies;
import io.hecate.core.internal.route.RouteTable;
import io.hecate.core.internal.upstream.Upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a request needs from the configuration, compiled and immutable. A reload builds a new
 * snapshot and swaps it in; an exchange keeps the snapshot it started with until it ends.
 *
 * @param config   the configuration as given
 * @param expanded the configuration served: as given plus what filters contributed
 */
public record Snapshot(long version, ProxyConfig config, ProxyConfig expanded, RouteTable routes,
                       Map<String, Upstream> upstreams, TrustedProxies trustedProxies) {

    public Upstream upstream(String name) {
        return upstreams.get(name);
    }

    /** The upstreams in the configuration's order (for the admin API and metrics). */
    public List<Upstream> upstreamsInOrder() {
        List<Upstream> ordered = new ArrayList<>(upstreams.size());
        for (String name : expanded.upstreams().keySet()) {
            Upstream upstream = upstreams.get(name);
            if (upstream != null) {
                ordered.add(upstream);
            }
        }
        return ordered;
    }
}
