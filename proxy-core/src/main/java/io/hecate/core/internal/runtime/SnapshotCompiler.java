package io.hecate.core.internal.runtime;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.ConfigValidator;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.filter.RouteFilterFactory;
import io.hecate.core.internal.http.SecurityHeaders;
import io.hecate.core.internal.http.TrustedProxies;
import io.hecate.core.internal.limit.AdmissionRegistry;
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
    private final AdmissionRegistry admissions;

    public SnapshotCompiler(Map<String, RouteFilterFactory> filterFactories, Metrics metrics) {
        this(filterFactories, metrics, new HealthRegistry());
    }

    /** @param health where each upstream's targets find their health, kept across snapshots */
    public SnapshotCompiler(Map<String, RouteFilterFactory> filterFactories, Metrics metrics, HealthRegistry health) {
        this(filterFactories, metrics, health, new AdmissionRegistry());
    }

    /**
     * @param health     where each upstream's targets find their health, kept across snapshots
     * @param admissions where each upstream finds its circuit breaker and bulkhead, kept across snapshots
     */
    public SnapshotCompiler(Map<String, RouteFilterFactory> filterFactories, Metrics metrics, HealthRegistry health,
                            AdmissionRegistry admissions) {
        this.filterFactories = Map.copyOf(filterFactories);
        this.metrics = metrics;
        this.health = health;
        this.admissions = admissions;
    }

    public Snapshot compile(ProxyConfig given, long version) throws ConfigException {
        ProxyConfig config = withContributions(given);
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
                    filters.add(factory.create(route, filter));
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(null, 0, path, e.getMessage()));
                }
            }
            table.add(route.match(), new Route(route.id(), route.match().methods(), route.match().headers(),
                    route.action(), filters, metrics.route(route.id()), SecurityHeaders.of(route.securityHeaders()))
                    .onlyScheme(route.match().scheme()));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        // Last, so a rejected configuration leaves no trace in the health registry.
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        config.upstreams().forEach((name, upstream) -> upstreams.put(name,
                new Upstream(name, upstream, health.upstream(name), admissions.admission(name, upstream))));
        return new Snapshot(version, given, config, table.build(), Map.copyOf(upstreams),
                TrustedProxies.of(config.listen().trustedProxies()));
    }

    /** The configuration with what the routes' filters contribute (their own routes and upstreams). */
    private ProxyConfig withContributions(ProxyConfig config) throws ConfigException {
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>(config.upstreams());
        List<RouteConfig> routes = new ArrayList<>(config.routes());
        List<ConfigProblem> problems = new ArrayList<>();
        boolean contributed = false;
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig route = config.routes().get(i);
            for (int f = 0; f < route.filters().size(); f++) {
                FilterConfig filter = route.filters().get(f);
                RouteFilterFactory factory = filterFactories.get(filter.type());
                if (factory == null) {
                    continue;
                }
                try {
                    RouteFilterFactory.Contribution contribution = factory.contribute(route, filter);
                    for (Map.Entry<String, UpstreamConfig> upstream : contribution.upstreams().entrySet()) {
                        contributed = true;
                        if (upstreams.putIfAbsent(upstream.getKey(), upstream.getValue()) != null
                                && !upstreams.get(upstream.getKey()).equals(upstream.getValue())) {
                            problems.add(new ConfigProblem(null, 0, "routes[" + i + "].filters[" + f + "]",
                                    "adds an upstream named \"" + upstream.getKey() + "\", which exists already"));
                        }
                    }
                    for (RouteConfig extra : contribution.routes()) {
                        contributed = true;
                        if (routes.stream().noneMatch(existing -> existing.equals(extra))) {
                            routes.add(extra);
                        }
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(new ConfigProblem(null, 0, "routes[" + i + "].filters[" + f + "]", e.getMessage()));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return contributed
                ? new ProxyConfig(config.listen(), config.admin(), config.accessLog(), upstreams, routes, config.drainTimeout(),
                        config.extensions())
                : config;
    }
}
