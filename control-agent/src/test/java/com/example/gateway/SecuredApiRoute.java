package com.example.gateway;

import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;

import java.util.List;
import java.util.Map;

/** The {@code api} route of gateway.yaml, built in code. */
final class SecuredApiRoute {

    private SecuredApiRoute() {
    }

    static RouteConfig of(String apiKey) {
        return new RouteConfig("api", MatchConfig.prefix("/api/"),
                ProxyAction.to("app").withStripPrefix("/api"),
                List.of(new FilterConfig("api_key", Map.of("key", apiKey))));
    }
}
