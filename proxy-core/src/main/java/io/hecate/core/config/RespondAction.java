package io.hecate.core.config;

import java.util.Map;

/** Answer directly with a fixed status, headers and body. */
public record RespondAction(int status, String body, Map<String, String> headers) implements RouteAction {

    public RespondAction {
        headers = Map.copyOf(headers);
    }

    public static RespondAction of(int status, String body) {
        return new RespondAction(status, body, Map.of());
    }
}
