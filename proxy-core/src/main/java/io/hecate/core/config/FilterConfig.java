package io.hecate.core.config;

import java.util.Map;

/**
 * One entry of a route's filter chain: the filter type and its settings, handed as they are to
 * the {@link io.hecate.core.filter.RouteFilterFactory} registered for that type.
 */
public record FilterConfig(String type, Map<String, Object> settings) {

    public FilterConfig {
        settings = Map.copyOf(settings);
    }
}
