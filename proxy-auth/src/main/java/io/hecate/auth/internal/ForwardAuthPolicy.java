package io.hecate.auth.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a forward-auth filter needs, checked and immutable: where the auth service is, what to
 * send it, what to take from its answer and what to do when it fails.
 *
 * @param filterType            {@code forward} or {@code authentik}, for metrics
 * @param service               where the subrequests go
 * @param endpoint              path and query of the auth endpoint on the service
 * @param describe              how messages name the service, e.g. {@code authentik outpost http://outpost:9000}
 * @param style                 which headers describe the original request
 * @param passClientHost        send the client's Host (true) or the service's authority (false)
 * @param sendHeaders           client request headers passed to the auth service
 * @param copyHeaders           auth response headers copied into the upstream request on 2xx
 * @param stripHeaders          removed from every client request first (always includes copyHeaders)
 * @param unauthorizedRedirect  when the service answers 401: a 302 to this location, {@code {url}}
 *                              standing for the percent-encoded original URL; {@code null} passes the 401 on
 * @param timeout               longest wait for the auth service's answer, connecting included
 * @param coalesce              identical concurrent subrequests on one event loop share one call
 * @param cacheTtl              how long a positive decision is reused; zero turns the cache off
 * @param cacheMaxEntries       most cached decisions per event loop
 * @param cachePerUri           whether the cache key includes the method and URI (else host and credentials only)
 * @param maxConnections        most connections to the service per event loop; more checks wait
 */
public record ForwardAuthPolicy(String filterType, ServiceAddress service, String endpoint, String describe,
                                Style style, boolean passClientHost, List<String> sendHeaders,
                                HeaderPatterns copyHeaders, HeaderPatterns stripHeaders, String unauthorizedRedirect,
                                Duration timeout, boolean coalesce, Duration cacheTtl, int cacheMaxEntries,
                                boolean cachePerUri, int maxConnections, BreakerSettings breaker) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_CACHE_MAX_ENTRIES = 10_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final List<String> DEFAULT_SEND_HEADERS = List.of("Cookie", "Authorization");

    /** Which headers tell the auth service about the original request. */
    public enum Style {
        /** {@code X-Original-URL: scheme://host/uri} (nginx {@code auth_request}). */
        NGINX,
        /** {@code X-Forwarded-Method/-Proto/-Host/-Uri/-For} (Caddy {@code forward_auth}, Traefik {@code forwardAuth}). */
        FORWARDED;

        public static Style of(String mode, Settings settings, String key) {
            return switch (mode.toLowerCase(Locale.ROOT)) {
                case "nginx" -> NGINX;
                case "caddy", "traefik" -> FORWARDED;
                default -> throw settings.bad(key, "expected nginx, caddy or traefik, got \"" + mode + "\"");
            };
        }
    }

    /** An auth service reached over plain HTTP. */
    public record ServiceAddress(String host, int port) {

        /** {@code http://host:port}, the name used in messages and metrics. */
        public String origin() {
            return "http://" + authority();
        }

        public String authority() {
            String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            return port == 80 ? h : h + ":" + port;
        }

        /** {@code host:port} as an upstream target. */
        public String target() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** The circuit breaker around one auth service. */
    public record BreakerSettings(int failureRate, int minimumCalls, int window, Duration openFor) {

        public static final List<String> KEYS = List.of("failure_rate", "minimum_calls", "window", "open_for");

        public static BreakerSettings of(Settings section) {
            int window = section.integer("window", 20, 1, 10_000);
            int minimum = section.integer("minimum_calls", Math.min(10, window), 1, 10_000);
            if (minimum > window) {
                throw section.bad("minimum_calls", "must not be larger than window (" + window + ")");
            }
            return new BreakerSettings(section.integer("failure_rate", 50, 1, 100), minimum, window,
                    section.duration("open_for", Duration.ofSeconds(10), false));
        }
    }

    /** Reads an absolute {@code http://host[:port]/path?query} URL; the path is the endpoint. */
    public static Map.Entry<ServiceAddress, String> parseUrl(String text, Settings settings, String key, boolean pathAllowed) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw settings.bad(key, "\"" + text + "\" is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            throw settings.bad(key, "\"" + text + "\": https is not supported for auth services yet; reach the"
                    + " service over http on a private network (as the outpost's own docs do)");
        }
        if (!scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw settings.bad(key, "expected an absolute URL like http://auth.internal:9000" + (pathAllowed ? "/verify" : "")
                    + ", got \"" + text + "\"");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (!pathAllowed && !path.equals("/")) {
            throw settings.bad(key, "expected the outpost's base URL without a path, like http://outpost:9000, got \"" + text + "\"");
        }
        String endpoint = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return Map.entry(new ServiceAddress(host, port), endpoint);
    }
}
