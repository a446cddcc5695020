package io.hecate.core.internal.runtime;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.ConfigValidator;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.filter.RouteFilterFactory;
import io.hecate.core.internal.http.TrustedProxies;
import io.hecate.core.internal.metrics.Metrics;
import io.hecate.core.internal.route.Route;
import io.hecate.core.internal.route.RouteTable;
import io.hecate.core.internal.upstream.HealthRegistry;
import io.hecate.core.internal.upstream.Upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a validated {@link ProxyConfig} into a {@link Snapshot}, or says everything wrong with it. */
public final class SnapshotCompiler {

    private final Map<String, RouteFilterFactory> filterFactories;
    private final Metrics metrics;
    private final HealthRegistry health;

    public SnapshotCompiler(Map<String, RouteFilterFactory> filterFactories, Metrics metrics) {
        this(filterFactories, metrics, new HealthRegistry());
    }

    /** @param health where each upstream's targets find their health, kept across snapshots */
    public SnapshotCompiler(Map<String, RouteFilterFactory> filterFactories, Metrics metrics, HealthRegistry health) {
        this.filterFactories = Map.copyOf(filterFactories);
        this.metrics = metrics;
        this.health = health;
    }

    public Snapshot compile(ProxyConfig config, long version) throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>(ConfigValidator.validate(config));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        RouteTable.Builder table = RouteTable.builder();
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig route = config.routes().get(i);
            List<RouteFilter> filters = new ArrayList<>();
            for (int f = 0; f < route.filters().size(); f++) {
                FilterConfig filter = route.filters().get(f);
                String path = "routes[" + i + "].filters[" + f + "]";
                RouteFilterFactory factory = filterFactories.get(filter.type());
                if (factory == null) {
                    problems.add(new ConfigProblem(null, 0, path + ".type",
                            "no filter of type \"" + filter.type() + "\" is installed (installed: "
                                    + String.join(", ", filterFactories.keySet()) + ")"));
                    continue;
                }
                try {
                    filters.add(factory.create(filter));
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(null, 0, path, e.getMessage()));
                }
            }
            table.add(route.match(), new Route(route.id(), route.match().methods(), route.match().headers(),
                    route.action(), filters, metrics.route(route.id())));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        // Last, so a rejected configuration leaves no trace in the health registry.
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        config.upstreams().forEach((name, upstream) -> upstreams.put(name,
                new Upstream(name, upstream, health.upstream(name))));
        return new Snapshot(version, config, table.build(), Map.copyOf(upstreams),
                TrustedProxies.of(config.listen().trustedProxies()));
    }
}
