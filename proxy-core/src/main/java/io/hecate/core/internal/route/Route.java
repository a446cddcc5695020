package io.hecate.core.internal.route;

import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteAction;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.internal.http.SecurityHeaders;
import io.hecate.core.internal.metrics.RouteMetrics;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A route compiled for the request path: its conditions beyond host and path (which the
 * {@link RouteTable} indexes), its action and its filters.
 */
public final class Route {

    private final String id;
    private final Set<HttpMethod> methods;
    private final Map<String, String> headers;
    private final RouteAction action;
    private final RouteFilter[] filters;
    private final RouteMetrics metrics;
    private final String stripPrefix;
    private final Pattern rewrite;
    private final String rewriteReplacement;
    private final RetryBudget retryBudget;
    private final SecurityHeaders securityHeaders;
    private String scheme;

    public Route(String id, List<String> methods, Map<String, String> headers, RouteAction action,
                 List<RouteFilter> filters, RouteMetrics metrics) {
        this(id, methods, headers, action, filters, metrics, null);
    }

    /** @param securityHeaders the route's security headers policy, or {@code null} for none */
    public Route(String id, List<String> methods, Map<String, String> headers, RouteAction action,
                 List<RouteFilter> filters, RouteMetrics metrics, SecurityHeaders securityHeaders) {
        this.securityHeaders = securityHeaders;
        this.id = id;
        this.methods = methods.stream().map(HttpMethod::valueOf).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.headers = Map.copyOf(headers);
        this.action = action;
        this.filters = filters.toArray(RouteFilter[]::new);
        this.metrics = metrics;
        ProxyAction proxy = action instanceof ProxyAction p ? p : null;
        this.stripPrefix = proxy == null ? null : proxy.stripPrefix();
        this.rewrite = proxy == null || proxy.rewrite() == null ? null : Pattern.compile(proxy.rewrite().pattern());
        this.rewriteReplacement = rewrite == null ? null : proxy.rewrite().replacement();
        boolean retriesMayReachUpstream = proxy != null && proxy.retry().attempts() > 1
                && (proxy.retry().onTimeout() || !proxy.retry().onStatus().isEmpty());
        this.retryBudget = retriesMayReachUpstream ? new RetryBudget(proxy.retry().budget()) : null;
    }

    /** The budget for retries that may have reached the upstream; {@code null} when the route has none. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /** The path sent upstream: the prefix stripped (keeping a leading slash), then the rewrite applied. */
    public String rewritePath(String path) {
        String result = path;
        if (stripPrefix != null && result.startsWith(stripPrefix)) {
            result = result.substring(stripPrefix.length());
            if (!result.startsWith("/")) {
                result = "/" + result;
            }
        }
        if (rewrite != null) {
            result = rewrite.matcher(result).replaceFirst(rewriteReplacement);
        }
        return result;
    }

    public String id() {
        return id;
    }

    public RouteAction action() {
        return action;
    }

    public RouteFilter[] filters() {
        return filters;
    }

    public RouteMetrics metrics() {
        return metrics;
    }

    /** The security headers policy for every response of this route, or {@code null} for none. */
    public SecurityHeaders securityHeaders() {
        return securityHeaders;
    }

    /** Limits the route to requests that came over one listener ({@code http} or {@code https}); set before the table is sealed. */
    public Route onlyScheme(String only) {
        this.scheme = only;
        return this;
    }

    boolean accepts(HttpMethod method, HttpHeaders requestHeaders, String requestScheme) {
        if (scheme != null && requestScheme != null && !scheme.equals(requestScheme)) {
            return false;
        }
        if (!methods.isEmpty() && !methods.contains(method)) {
            return false;
        }
        for (Map.Entry<String, String> condition : headers.entrySet()) {
            if (!requestHeaders.contains(condition.getKey(), condition.getValue(), false)) {
                return false;
            }
        }
        return true;
    }
}
