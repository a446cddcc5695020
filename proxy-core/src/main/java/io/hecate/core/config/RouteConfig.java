package io.hecate.core.config;

import java.util.List;

/**
 * A route: a match, an action, and the filters that run before the action.
 *
 * @param id      unique name, used in logs and metrics
 * @param match   what requests it applies to
 * @param action  what it does with them
 * @param filters per-route filter chain, run in order
 */
public record RouteConfig(String id, MatchConfig match, RouteAction action, List<FilterConfig> filters) {

    public RouteConfig {
        filters = List.copyOf(filters);
    }

    public static RouteConfig of(String id, MatchConfig match, RouteAction action) {
        return new RouteConfig(id, match, action, List.of());
    }
}
