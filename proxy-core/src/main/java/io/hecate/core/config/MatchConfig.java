package io.hecate.core.config;

import java.util.List;
import java.util.Map;

/**
 * What a request must look like for a route to apply. Every field is optional; at most one of the
 * three path forms may be set.
 *
 * @param host       exact host ({@code app.example.com}) or wildcard ({@code *.example.com}), no port
 * @param path       exact path
 * @param pathPrefix path prefix
 * @param pathRegex  regular expression matched against the whole path
 * @param methods    allowed methods, empty for any
 * @param headers    headers that must be present with exactly these values
 */
public record MatchConfig(String host, String path, String pathPrefix, String pathRegex,
                          List<String> methods, Map<String, String> headers) {

    public MatchConfig {
        methods = List.copyOf(methods);
        headers = Map.copyOf(headers);
    }

    public static MatchConfig any() {
        return new MatchConfig(null, null, null, null, List.of(), Map.of());
    }

    public static MatchConfig host(String host) {
        return any().withHost(host);
    }

    public static MatchConfig prefix(String pathPrefix) {
        return any().withPathPrefix(pathPrefix);
    }

    public MatchConfig withHost(String newHost) {
        return new MatchConfig(newHost, path, pathPrefix, pathRegex, methods, headers);
    }

    public MatchConfig withPath(String newPath) {
        return new MatchConfig(host, newPath, null, null, methods, headers);
    }

    public MatchConfig withPathPrefix(String newPrefix) {
        return new MatchConfig(host, null, newPrefix, null, methods, headers);
    }

    public MatchConfig withPathRegex(String newRegex) {
        return new MatchConfig(host, null, null, newRegex, methods, headers);
    }

    public MatchConfig withMethods(String... newMethods) {
        return new MatchConfig(host, path, pathPrefix, pathRegex, List.of(newMethods), headers);
    }

    public MatchConfig withHeader(String name, String value) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new MatchConfig(host, path, pathPrefix, pathRegex, methods, copy);
    }
}
