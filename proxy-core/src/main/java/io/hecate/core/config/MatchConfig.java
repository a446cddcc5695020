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
 * @param scheme     {@code http} or {@code https}: only requests that came over that listener;
 *                   {@code null} for both (e.g. a redirect to HTTPS on {@code http} only)
 */
public record MatchConfig(String host, String path, String pathPrefix, String pathRegex,
                          List<String> methods, Map<String, String> headers, String scheme) {

    public MatchConfig {
        methods = List.copyOf(methods);
        headers = Map.copyOf(headers);
    }

    /** For both schemes. */
    public MatchConfig(String host, String path, String pathPrefix, String pathRegex,
                       List<String> methods, Map<String, String> headers) {
        this(host, path, pathPrefix, pathRegex, methods, headers, null);
    }

    /** @param newScheme {@code http}, {@code https}, or {@code null} for both */
    public MatchConfig withScheme(String newScheme) {
        return new MatchConfig(host, path, pathPrefix, pathRegex, methods, headers, newScheme);
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
        return new MatchConfig(newHost, path, pathPrefix, pathRegex, methods, headers, scheme);
    }

    public MatchConfig withPath(String newPath) {
        return new MatchConfig(host, newPath, null, null, methods, headers, scheme);
    }

    public MatchConfig withPathPrefix(String newPrefix) {
        return new MatchConfig(host, null, newPrefix, null, methods, headers, scheme);
    }

    public MatchConfig withPathRegex(String newRegex) {
        return new MatchConfig(host, null, null, newRegex, methods, headers, scheme);
    }

    public MatchConfig withMethods(String... newMethods) {
        return new MatchConfig(host, path, pathPrefix, pathRegex, List.of(newMethods), headers, scheme);
    }

    public MatchConfig withHeader(String name, String value) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new MatchConfig(host, path, pathPrefix, pathRegex, methods, copy, scheme);
    }
}
