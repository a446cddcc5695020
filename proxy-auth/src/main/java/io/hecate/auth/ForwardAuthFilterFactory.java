package io.hecate.auth;

import io.hecate.auth.internal.AuthClient;
import io.hecate.auth.internal.ForwardAuthFilter;
import io.hecate.auth.internal.ForwardAuthPolicy;
import io.hecate.auth.internal.HeaderPatterns;
import io.hecate.auth.internal.Settings;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.filter.RouteFilterFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Makes {@code forward} filters: generic forward auth, as Caddy's {@code forward_auth} and nginx's
 * {@code auth_request} do it, for Authelia, oauth2-proxy, Authentik or any service that answers a
 * body-less GET with 2xx (let through) or anything else (sent back to the client).
 *
 * <pre>{@code
 * filters:
 *   - type: forward
 *     url: http://authelia:9091/api/authz/forward-auth   # required; http only
 *     mode: caddy                  # caddy | traefik (X-Forwarded-*) or nginx (X-Original-URL)
 *     send_headers: [Cookie, Authorization]   # client headers passed to the service
 *     copy_headers: [Remote-User, Remote-Groups, Remote-Email, Remote-Name]
 *     strip_headers: []            # removed from client requests too (copy_headers always are); Name or Prefix-*
 *     pass_host: false             # send the client's Host instead of the service's
 *     unauthorized_redirect: null  # on 401: 302 to this location, {url} = the original URL, percent-encoded
 *     timeout: 5s
 *     coalesce: true
 *     cache_ttl: 0s                # positive decisions reused for this long; 0s = off
 *     cache_max_entries: 10000     # per event loop
 *     cache_per_uri: true          # cache key includes method and URI
 *     max_connections: 64          # to the service, per event loop
 *     circuit_breaker: { failure_rate: 50, minimum_calls: 10, window: 20, open_for: 10s }
 * }</pre>
 *
 * All settings are described in {@code docs/auth.md}.
 */
public final class ForwardAuthFilterFactory implements RouteFilterFactory {

    public static final String TYPE = "forward";

    static final List<String> COMMON_KEYS = List.of("timeout", "coalesce", "cache_ttl", "cache_max_entries",
            "max_connections", "circuit_breaker");
    private static final List<String> KEYS = concat(List.of("url", "mode", "send_headers", "copy_headers",
            "strip_headers", "pass_host", "unauthorized_redirect", "cache_per_uri"), COMMON_KEYS);

    private final AuthMetrics metrics;
    private final AuthClient client;

    /** Records into {@link AuthMetrics#shared()}. */
    public ForwardAuthFilterFactory() {
        this(AuthMetrics.shared());
    }

    public ForwardAuthFilterFactory(AuthMetrics metrics) {
        this.metrics = metrics;
        this.client = new AuthClient(metrics.stats());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public RouteFilter create(FilterConfig config) {
        ForwardAuthPolicy policy = policy(config.settings());
        return new ForwardAuthFilter(policy, client.service(policy), metrics.stats());
    }

    static ForwardAuthPolicy policy(Map<String, Object> values) {
        Settings settings = Settings.of(values, KEYS);
        Map.Entry<ForwardAuthPolicy.ServiceAddress, String> url = ForwardAuthPolicy.parseUrl(
                settings.requiredString("url", "the auth endpoint, e.g. http://authelia:9091/api/authz/forward-auth"),
                settings, "url", true);
        ForwardAuthPolicy.Style style = ForwardAuthPolicy.Style.of(settings.string("mode", "caddy"), settings, "mode");
        List<String> send = settings.strings("send_headers", ForwardAuthPolicy.DEFAULT_SEND_HEADERS);
        for (int i = 0; i < send.size(); i++) {
            if (send.get(i).endsWith("*")) {
                throw new IllegalArgumentException("send_headers[" + i + "]: name the headers exactly, without *");
            }
        }
        HeaderPatterns.of(send, "send_headers");
        HeaderPatterns copy = HeaderPatterns.of(settings.strings("copy_headers", List.of()), "copy_headers");
        HeaderPatterns strip = HeaderPatterns.of(settings.strings("strip_headers", List.of()), "strip_headers");
        String redirect = settings.string("unauthorized_redirect", null);
        if (redirect != null && (redirect.indexOf('\r') >= 0 || redirect.indexOf('\n') >= 0)) {
            throw settings.bad("unauthorized_redirect", "must not contain line breaks");
        }
        ForwardAuthPolicy.ServiceAddress service = url.getKey();
        return common(settings, TYPE, service, url.getValue(), "auth service " + service.origin(), style,
                settings.bool("pass_host", false), send, copy, copy.plus(strip), redirect,
                settings.bool("cache_per_uri", true));
    }

    static ForwardAuthPolicy common(Settings settings, String type, ForwardAuthPolicy.ServiceAddress service,
                                    String endpoint, String describe, ForwardAuthPolicy.Style style, boolean passHost,
                                    List<String> send, HeaderPatterns copy, HeaderPatterns strip, String redirect,
                                    boolean cachePerUri) {
        return new ForwardAuthPolicy(type, service, endpoint, describe, style, passHost, send, copy, strip, redirect,
                settings.duration("timeout", ForwardAuthPolicy.DEFAULT_TIMEOUT, false),
                settings.bool("coalesce", true),
                settings.duration("cache_ttl", Duration.ZERO, true),
                settings.integer("cache_max_entries", ForwardAuthPolicy.DEFAULT_CACHE_MAX_ENTRIES, 1, 10_000_000),
                cachePerUri,
                settings.integer("max_connections", ForwardAuthPolicy.DEFAULT_MAX_CONNECTIONS, 1, 100_000),
                ForwardAuthPolicy.BreakerSettings.of(settings.section("circuit_breaker", ForwardAuthPolicy.BreakerSettings.KEYS)));
    }

    static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
