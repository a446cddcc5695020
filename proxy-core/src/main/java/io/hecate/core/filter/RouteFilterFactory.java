package io.hecate.core.filter;

import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;

import java.util.List;
import java.util.Map;

/**
 * Makes the filters of one type (e.g. {@code auth}) from their configuration. Registered with
 * {@link io.hecate.core.Hecate.Builder#filter(RouteFilterFactory)}; a route naming a type that no
 * factory makes is a configuration error.
 */
public interface RouteFilterFactory {

    String type();

    /**
     * Makes a filter for one route.
     *
     * @throws IllegalArgumentException naming the bad setting when {@code config} is unusable
     */
    RouteFilter create(FilterConfig config);

    /**
     * Makes a filter for {@code route}: what the proxy calls. Factories whose filters keep state per
     * route (such as the buckets of {@code rate_limit}) use the route's id; the default ignores it.
     *
     * @throws IllegalArgumentException naming the bad setting when {@code config} is unusable
     */
    default RouteFilter create(RouteConfig route, FilterConfig config) {
        return create(config);
    }

    /**
     * Routes and upstreams this filter needs beside the route that uses it, added to the
     * configuration before it is validated: for example an auth provider's own sign-in endpoints,
     * which must reach the provider without being checked themselves. Names must not clash with
     * the operator's; prefix them with the filter type. None by default.
     *
     * @throws IllegalArgumentException naming the bad setting when {@code config} is unusable
     */
    default Contribution contribute(RouteConfig route, FilterConfig config) {
        return Contribution.NONE;
    }

    /** Upstreams and routes a filter adds to the configuration. */
    record Contribution(Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes) {

        public static final Contribution NONE = new Contribution(Map.of(), List.of());

        public Contribution {
            upstreams = Map.copyOf(upstreams);
            routes = List.copyOf(routes);
        }
    }
}
