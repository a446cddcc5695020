package io.hecate.core.config;

import java.time.Duration;

/**
 * Forward the request to an upstream.
 *
 * @param upstream        name of the upstream
 * @param stripPrefix     removed from the start of the path before forwarding, or {@code null}
 * @param rewrite         regular-expression rewrite of the path, or {@code null}
 * @param host            Host header sent upstream, or {@code null} to keep the client's
 * @param timeout         longest wait for the upstream's response head (504 beyond)
 * @param requestHeaders  edits to the request sent upstream
 * @param responseHeaders edits to the response sent downstream
 */
public record ProxyAction(String upstream, String stripPrefix, PathRewrite rewrite, String host,
                          Duration timeout, HeaderRules requestHeaders, HeaderRules responseHeaders)
        implements RouteAction {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public static ProxyAction to(String upstream) {
        return new ProxyAction(upstream, null, null, null, DEFAULT_TIMEOUT, HeaderRules.NONE, HeaderRules.NONE);
    }

    public ProxyAction withStripPrefix(String prefix) {
        return new ProxyAction(upstream, prefix, rewrite, host, timeout, requestHeaders, responseHeaders);
    }

    public ProxyAction withTimeout(Duration newTimeout) {
        return new ProxyAction(upstream, stripPrefix, rewrite, host, newTimeout, requestHeaders, responseHeaders);
    }

    /** Replaces the part of the path matching {@code pattern} with {@code replacement} ($1 etc.). */
    public record PathRewrite(String pattern, String replacement) {
    }
}
