package io.hecate.core.config;

import java.time.Duration;

/**
 * Forward the request to an upstream.
 *
 * @param upstream           name of the upstream
 * @param stripPrefix        removed from the start of the path before forwarding, or {@code null}
 * @param rewrite            regular-expression rewrite of the path, or {@code null}
 * @param host               Host header sent upstream, or {@code null} to keep the client's
 * @param timeout            longest wait for the response head, over all tries (504 beyond)
 * @param requestHeaders     edits to the request sent upstream
 * @param responseHeaders    edits to the response sent downstream
 * @param retry              when a failed try is tried again
 * @param upgradeIdleTimeout an upgraded connection (WebSocket) with no traffic either way for this
 *                           long is closed
 * @param maxRequestBody     the largest request body accepted in bytes (413 beyond), 0 for no limit
 */
public record ProxyAction(String upstream, String stripPrefix, PathRewrite rewrite, String host,
                          Duration timeout, HeaderRules requestHeaders, HeaderRules responseHeaders,
                          RetryConfig retry, Duration upgradeIdleTimeout, long maxRequestBody)
        implements RouteAction {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_UPGRADE_IDLE_TIMEOUT = Duration.ofMinutes(10);
    public static final long NO_BODY_LIMIT = 0;

    /** Default retries and upgrade idle timeout. */
    public ProxyAction(String upstream, String stripPrefix, PathRewrite rewrite, String host, Duration timeout,
                       HeaderRules requestHeaders, HeaderRules responseHeaders) {
        this(upstream, stripPrefix, rewrite, host, timeout, requestHeaders, responseHeaders, RetryConfig.DEFAULTS,
                DEFAULT_UPGRADE_IDLE_TIMEOUT, NO_BODY_LIMIT);
    }

    public static ProxyAction to(String upstream) {
        return new ProxyAction(upstream, null, null, null, DEFAULT_TIMEOUT, HeaderRules.NONE, HeaderRules.NONE);
    }

    public ProxyAction withStripPrefix(String prefix) {
        return new ProxyAction(upstream, prefix, rewrite, host, timeout, requestHeaders, responseHeaders, retry,
                upgradeIdleTimeout, maxRequestBody);
    }

    public ProxyAction withTimeout(Duration newTimeout) {
        return new ProxyAction(upstream, stripPrefix, rewrite, host, newTimeout, requestHeaders, responseHeaders, retry,
                upgradeIdleTimeout, maxRequestBody);
    }

    public ProxyAction withRetry(RetryConfig newRetry) {
        return new ProxyAction(upstream, stripPrefix, rewrite, host, timeout, requestHeaders, responseHeaders, newRetry,
                upgradeIdleTimeout, maxRequestBody);
    }

    public ProxyAction withUpgradeIdleTimeout(Duration newTimeout) {
        return new ProxyAction(upstream, stripPrefix, rewrite, host, timeout, requestHeaders, responseHeaders, retry,
                newTimeout, maxRequestBody);
    }

    public ProxyAction withMaxRequestBody(long bytes) {
        return new ProxyAction(upstream, stripPrefix, rewrite, host, timeout, requestHeaders, responseHeaders, retry,
                upgradeIdleTimeout, bytes);
    }

    /** The wait for the response head of one try. */
    public Duration perTryTimeout() {
        return retry.perTryTimeout() == null ? timeout : retry.perTryTimeout();
    }

    /** Replaces the part of the path matching {@code pattern} with {@code replacement} ($1 etc.). */
    public record PathRewrite(String pattern, String replacement) {
    }
}
