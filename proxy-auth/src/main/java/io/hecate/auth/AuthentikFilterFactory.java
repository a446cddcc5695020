package io.hecate.auth;

import io.hecate.auth.internal.AuthClient;
import io.hecate.auth.internal.ForwardAuthFilter;
import io.hecate.auth.internal.ForwardAuthPolicy;
import io.hecate.auth.internal.HeaderPatterns;
import io.hecate.auth.internal.Settings;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.filter.RouteFilterFactory;

import java.util.List;
import java.util.Map;

/**
 * Makes {@code authentik} filters: forward auth to an Authentik proxy outpost (a proxy provider in
 * "Forward auth (single application)" or "Forward auth (domain level)" mode).
 *
 * <pre>{@code
 * filters:
 *   - type: authentik
 *     outpost: http://authentik-outpost:9000   # required: the outpost's base URL, http only
 *     mode: nginx        # nginx: /auth/nginx, 401 -> Hecate redirects to /outpost.goauthentik.io/start?rd=...
 *                        # caddy | traefik: /auth/caddy | /auth/traefik, the outpost's own redirect is passed on
 *     timeout: 5s
 *     coalesce: true
 *     cache_ttl: 0s      # off; e.g. 10s reuses a signed-in session's answer for 10 seconds
 *     cache_max_entries: 10000
 *     max_connections: 64
 *     circuit_breaker: { failure_rate: 50, minimum_calls: 10, window: 20, open_for: 10s }
 * }</pre>
 *
 * <p>Every {@code X-authentik-*} header and {@code Authorization} are removed from the client's
 * request first; on 2xx the outpost's {@code X-authentik-*} headers (username, groups, entitlements,
 * email, name, uid, jwt, meta-jwks, meta-outpost, meta-provider, meta-app, meta-version) and
 * {@code Authorization} (when the provider sends HTTP Basic credentials) are copied to the upstream
 * request. The client's Cookie and Authorization go to the outpost.
 *
 * <p>It also adds, on the protected route's host, a route {@code authentik-<route id>} that sends
 * {@code /outpost.goauthentik.io/*} ({@code /start}, {@code /callback}, {@code /sign_out}) straight to
 * the outpost with no auth check, through an upstream {@code authentik-<host>-<port>}.
 */
public final class AuthentikFilterFactory implements RouteFilterFactory {

    public static final String TYPE = "authentik";
    /** Where the outpost's own endpoints live on every protected host. */
    public static final String OUTPOST_PREFIX = "/outpost.goauthentik.io/";

    private static final List<String> KEYS = ForwardAuthFilterFactory.concat(List.of("outpost", "mode"),
            ForwardAuthFilterFactory.COMMON_KEYS);
    private static final HeaderPatterns IDENTITY = HeaderPatterns.of(List.of("X-authentik-*", "Authorization"), "copy");

    private final AuthMetrics metrics;
    private final AuthClient client;

    /** Records into {@link AuthMetrics#shared()}. */
    public AuthentikFilterFactory() {
        this(AuthMetrics.shared());
    }

    public AuthentikFilterFactory(AuthMetrics metrics) {
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

    @Override
    public Contribution contribute(RouteConfig route, FilterConfig config) {
        ForwardAuthPolicy policy = policy(config.settings());
        ForwardAuthPolicy.ServiceAddress outpost = policy.service();
        String upstream = TYPE + "-" + outpost.host() + "-" + outpost.port();
        MatchConfig match = MatchConfig.prefix(OUTPOST_PREFIX).withHost(route.match().host());
        return new Contribution(Map.of(upstream, UpstreamConfig.of(outpost.target())),
                List.of(RouteConfig.of(TYPE + "-" + route.id(), match, ProxyAction.to(upstream))));
    }

    static ForwardAuthPolicy policy(Map<String, Object> values) {
        Settings settings = Settings.of(values, KEYS);
        ForwardAuthPolicy.ServiceAddress outpost = ForwardAuthPolicy.parseUrl(
                settings.requiredString("outpost", "the outpost's URL, e.g. http://authentik-outpost:9000"),
                settings, "outpost", false).getKey();
        String mode = settings.string("mode", "nginx").toLowerCase(java.util.Locale.ROOT);
        ForwardAuthPolicy.Style style = ForwardAuthPolicy.Style.of(mode, settings, "mode");
        String endpoint = OUTPOST_PREFIX + "auth/" + mode;
        String redirect = style == ForwardAuthPolicy.Style.NGINX ? OUTPOST_PREFIX + "start?rd={url}" : null;
        return ForwardAuthFilterFactory.common(settings, TYPE, outpost, endpoint, "authentik outpost " + outpost.origin(),
                style, true, ForwardAuthPolicy.DEFAULT_SEND_HEADERS, IDENTITY, IDENTITY, redirect, false);
    }
}
