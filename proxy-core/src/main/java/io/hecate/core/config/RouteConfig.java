package io.hecate.core.config;

import java.util.List;

/**
 * A route: a match, an action, and the filters that run before the action.
 *
 * @param id              unique name, used in logs and metrics
 * @param match           what requests it applies to
 * @param action          what it does with them
 * @param filters         per-route filter chain, run in order
 * @param securityHeaders security headers set on (and server headers removed from) every response
 *                        of the route, or {@code null} for none
 */
public record RouteConfig(String id, MatchConfig match, RouteAction action, List<FilterConfig> filters,
                          SecurityHeadersConfig securityHeaders) {

    public RouteConfig {
        filters = List.copyOf(filters);
    }

    /** A route without security headers. */
    public RouteConfig(String id, MatchConfig match, RouteAction action, List<FilterConfig> filters) {
        this(id, match, action, filters, null);
    }

    public static RouteConfig of(String id, MatchConfig match, RouteAction action) {
        return new RouteConfig(id, match, action, List.of());
    }

    public RouteConfig withFilters(List<FilterConfig> newFilters) {
        return new RouteConfig(id, match, action, newFilters, securityHeaders);
    }

    /** @param headers the security headers policy, or {@code null} for none */
    public RouteConfig withSecurityHeaders(SecurityHeadersConfig headers) {
        return new RouteConfig(id, match, action, filters, headers);
    }
}
