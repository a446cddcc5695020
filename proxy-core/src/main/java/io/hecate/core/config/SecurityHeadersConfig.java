package io.hecate.core.config;

import java.util.List;

/**
 * Security headers put on every response of a route, proxied or answered by Hecate itself
 * (errors, {@code respond}, {@code redirect}, refusals of filters), and server-identifying headers
 * taken off. A {@code null} value leaves that header alone.
 *
 * @param hsts                  {@code Strict-Transport-Security}; sent only on responses to requests
 *                              that reached Hecate over HTTPS (or whose trusted proxy says
 *                              {@code X-Forwarded-Proto: https}), as RFC 6797 §7.2 requires
 * @param contentTypeOptions    {@code X-Content-Type-Options}, normally {@code nosniff}
 * @param frameOptions          {@code X-Frame-Options}: {@code DENY} or {@code SAMEORIGIN}
 * @param referrerPolicy        {@code Referrer-Policy}
 * @param contentSecurityPolicy {@code Content-Security-Policy}
 * @param permissionsPolicy     {@code Permissions-Policy}
 * @param remove                response headers removed, e.g. {@code Server}, {@code X-Powered-By}
 * @param override              {@code true}: the values above replace what the upstream sent;
 *                              {@code false}: they are added only where the upstream sent none
 */
public record SecurityHeadersConfig(String hsts, String contentTypeOptions, String frameOptions, String referrerPolicy,
                                    String contentSecurityPolicy, String permissionsPolicy, List<String> remove,
                                    boolean override) {

    /**
     * {@code security_headers: recommended}: HSTS for a year with subdomains, {@code nosniff},
     * {@code SAMEORIGIN} framing, {@code strict-origin-when-cross-origin} referrers, and
     * {@code Server} and {@code X-Powered-By} removed. No CSP: a useful one depends on the site.
     */
    public static final SecurityHeadersConfig RECOMMENDED = new SecurityHeadersConfig(
            "max-age=31536000; includeSubDomains", "nosniff", "SAMEORIGIN", "strict-origin-when-cross-origin",
            null, null, List.of("Server", "X-Powered-By"), true);

    public SecurityHeadersConfig {
        remove = remove == null ? List.of() : List.copyOf(remove);
    }

    /** No header set, none removed. */
    public static SecurityHeadersConfig none() {
        return new SecurityHeadersConfig(null, null, null, null, null, null, List.of(), true);
    }

    public SecurityHeadersConfig withHsts(String value) {
        return new SecurityHeadersConfig(value, contentTypeOptions, frameOptions, referrerPolicy, contentSecurityPolicy,
                permissionsPolicy, remove, override);
    }

    public SecurityHeadersConfig withContentSecurityPolicy(String value) {
        return new SecurityHeadersConfig(hsts, contentTypeOptions, frameOptions, referrerPolicy, value,
                permissionsPolicy, remove, override);
    }

    public SecurityHeadersConfig withRemove(List<String> names) {
        return new SecurityHeadersConfig(hsts, contentTypeOptions, frameOptions, referrerPolicy, contentSecurityPolicy,
                permissionsPolicy, names, override);
    }

    public SecurityHeadersConfig withOverride(boolean replace) {
        return new SecurityHeadersConfig(hsts, contentTypeOptions, frameOptions, referrerPolicy, contentSecurityPolicy,
                permissionsPolicy, remove, replace);
    }
}
