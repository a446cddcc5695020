package io.hecate.core.filter;

import io.hecate.core.config.FilterConfig;

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
}
