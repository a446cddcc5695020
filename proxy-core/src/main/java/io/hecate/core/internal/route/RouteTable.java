package io.hecate.core.internal.route;

import io.hecate.core.config.MatchConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An immutable route table. Host decides first (exact name, then the longest matching wildcard
 * suffix, then routes for any host); a host bucket with no matching path falls through to the
 * next less specific one. Within a bucket, {@link PathIndex} decides.
 */
public final class RouteTable {

    private final Map<String, PathIndex> exactHosts;
    /** Keyed by the suffix including its leading dot: {@code *.example.com} is {@code .example.com}. */
    private final Map<String, PathIndex> wildcardHosts;
    private final PathIndex anyHost;
    private final List<Route> routes;

    private RouteTable(Map<String, PathIndex> exactHosts, Map<String, PathIndex> wildcardHosts,
                       PathIndex anyHost, List<Route> routes) {
        this.exactHosts = exactHosts;
        this.wildcardHosts = wildcardHosts;
        this.anyHost = anyHost;
        this.routes = routes;
    }

    /** Routes in configuration order, for the admin API. */
    public List<Route> routes() {
        return routes;
    }

    /**
     * @param host lower-case host without port, or {@code null} when the request named none
     */
    public Route find(String host, String path, HttpMethod method, HttpHeaders headers) {
        return find(host, path, method, headers, null);
    }

    /**
     * @param host   lower-case host without port, or {@code null} when the request named none
     * @param scheme the listener the request came over ({@code http} or {@code https}); routes
     *               limited to the other one are skipped; {@code null} skips none
     */
    public Route find(String host, String path, HttpMethod method, HttpHeaders headers, String scheme) {
        if (host != null) {
            PathIndex bucket = exactHosts.get(host);
            if (bucket != null) {
                Route found = bucket.find(path, method, headers, scheme);
                if (found != null) {
                    return found;
                }
            }
            if (!wildcardHosts.isEmpty()) {
                for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
                    bucket = wildcardHosts.get(host.substring(dot));
                    if (bucket != null) {
                        Route found = bucket.find(path, method, headers, scheme);
                        if (found != null) {
                            return found;
                        }
                    }
                }
            }
        }
        return anyHost.find(path, method, headers, scheme);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects routes in configuration order; order breaks ties between equally specific routes. */
    public static final class Builder {
        private final Map<String, PathIndex> exactHosts = new HashMap<>();
        private final Map<String, PathIndex> wildcardHosts = new HashMap<>();
        private final PathIndex anyHost = new PathIndex();
        private final Map<String, Route> routes = new LinkedHashMap<>();

        public Builder add(MatchConfig match, Route route) {
            PathIndex bucket = bucketFor(match.host());
            if (match.path() != null) {
                bucket.addExact(match.path(), route);
            } else if (match.pathPrefix() != null) {
                bucket.addPrefix(match.pathPrefix(), route);
            } else if (match.pathRegex() != null) {
                bucket.addRegex(Pattern.compile(match.pathRegex()), route);
            } else {
                bucket.addAnyPath(route);
            }
            routes.put(route.id(), route);
            return this;
        }

        private PathIndex bucketFor(String host) {
            if (host == null) {
                return anyHost;
            }
            String normalised = host.toLowerCase(Locale.ROOT);
            if (normalised.startsWith("*.")) {
                return wildcardHosts.computeIfAbsent(normalised.substring(1), h -> new PathIndex());
            }
            return exactHosts.computeIfAbsent(normalised, h -> new PathIndex());
        }

        public RouteTable build() {
            exactHosts.values().forEach(PathIndex::seal);
            wildcardHosts.values().forEach(PathIndex::seal);
            anyHost.seal();
            return new RouteTable(exactHosts, wildcardHosts, anyHost, List.copyOf(routes.values()));
        }
    }
}
