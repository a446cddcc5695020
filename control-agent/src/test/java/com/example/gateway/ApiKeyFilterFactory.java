package com.example.gateway;

import io.hecate.core.config.FilterConfig;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.filter.RouteFilterFactory;

/** Makes {@code api_key} filters: {@code { type: api_key, key: "...", header: X-Api-Key }}. */
public final class ApiKeyFilterFactory implements RouteFilterFactory {

    @Override
    public String type() {
        return "api_key";
    }

    @Override
    public RouteFilter create(FilterConfig config) {
        Object key = config.settings().get("key");
        Object header = config.settings().getOrDefault("header", "X-Api-Key");
        if (!(key instanceof String keyText) || keyText.isEmpty()) {
            throw new IllegalArgumentException("key: required, the API key clients must send");
        }
        if (!(header instanceof String headerName)) {
            throw new IllegalArgumentException("header: must be a header name, got " + header);
        }
        return new ApiKeyFilter(headerName, keyText);
    }
}
