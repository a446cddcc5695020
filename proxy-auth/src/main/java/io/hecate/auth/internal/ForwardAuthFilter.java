package io.hecate.auth.internal;

import io.hecate.core.filter.FilterChain;
import io.hecate.core.filter.FilterExchange;
import io.hecate.core.filter.RouteFilter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forward auth: asks an auth service about each request with a body-less GET and lets the request
 * through on 2xx with the service's identity headers; anything else goes back to the client.
 *
 * <p>Before anything else, every header the service could set ({@code copy_headers} and
 * {@code strip_headers}) is removed from the client's request, whatever the service later
 * answers, so a client can never present an identity of its own making.
 */
public final class ForwardAuthFilter implements RouteFilter {

    private static final String X_ORIGINAL_URL = "X-Original-URL";
    private static final String X_FORWARDED_METHOD = "X-Forwarded-Method";
    private static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    private static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    private static final String X_FORWARDED_URI = "X-Forwarded-Uri";
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    /** Never sent back to the client from an auth answer: they describe the service's connection or framing. */
    private static final Set<String> CONNECTION_HEADERS = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "te", "trailer", "content-length");

    private final ForwardAuthPolicy policy;
    private final AuthService service;
    private final AuthStats stats;
    private final long timeoutNanos;
    private final long cacheTtlNanos;
    private final Map<EventLoop, DecisionCache> caches = new ConcurrentHashMap<>();

    public ForwardAuthFilter(ForwardAuthPolicy policy, AuthService service, AuthStats stats) {
        this.policy = policy;
        this.service = service;
        this.stats = stats;
        this.timeoutNanos = policy.timeout().toNanos();
        this.cacheTtlNanos = policy.cacheTtl().toNanos();
    }

    @Override
    public void onRequest(FilterExchange exchange, FilterChain chain) {
        long start = System.nanoTime();
        AuthStats.RouteStats routeStats = stats.route(exchange.routeId(), policy.filterType());
        HttpRequest request = exchange.request();
        HttpHeaders clientHeaders = request.headers();

        // 1. What the client sent that the auth service must see (Authorization may be stripped next).
        List<Map.Entry<String, String>> credentials = new ArrayList<>(2);
        for (String name : policy.sendHeaders()) {
            for (String value : clientHeaders.getAll(name)) {
                credentials.add(Map.entry(name, value));
            }
        }
        // 2. Header hygiene, before anything can go wrong: no client-made identity reaches the upstream.
        policy.stripHeaders().removeFrom(clientHeaders);
        dropStrippedConnectionTokens(clientHeaders);

        // 3. The subrequest.
        String host = clientHeaders.get(HttpHeaderNames.HOST, "");
        String uri = request.uri();
        String originalUrl = exchange.scheme() + "://" + host + uri;
        HttpHeaders sub = new DefaultHttpHeaders();
        sub.set(HttpHeaderNames.HOST, policy.passClientHost() && !host.isEmpty() ? host : policy.service().authority());
        for (Map.Entry<String, String> credential : credentials) {
            sub.add(credential.getKey(), credential.getValue());
        }
        if (policy.style() == ForwardAuthPolicy.Style.NGINX) {
            sub.set(X_ORIGINAL_URL, originalUrl);
        } else {
            sub.set(X_FORWARDED_METHOD, request.method().name())
                    .set(X_FORWARDED_PROTO, exchange.scheme())
                    .set(X_FORWARDED_HOST, host)
                    .set(X_FORWARDED_URI, uri)
                    .set(X_FORWARDED_FOR, exchange.clientAddress());
        }

        // 4. A recent positive decision for the same credentials.
        String cacheKey = null;
        if (cacheTtlNanos > 0 && !credentials.isEmpty()) {
            cacheKey = cacheKey(host, request.method().name(), uri, credentials);
            HttpHeaders cached = cache(exchange.eventLoop()).get(cacheKey, start);
            if (cached != null) {
                clientHeaders.add(cached);
                routeStats.cacheHit();
                routeStats.decided(AuthStats.Outcome.ALLOWED, start);
                chain.proceed();
                return;
            }
        }

        // 5. Ask, or join an identical question already asked on this loop.
        String coalesceKey = policy.coalesce() ? coalesceKey(sub) : null;
        String finalCacheKey = cacheKey;
        service.check(exchange.eventLoop(), policy.endpoint(), sub, timeoutNanos, policy.describe(), coalesceKey,
                result -> decide(exchange, chain, routeStats, start, originalUrl, finalCacheKey, result));
    }

    private void decide(FilterExchange exchange, FilterChain chain, AuthStats.RouteStats routeStats, long start,
                        String originalUrl, String cacheKey, AuthResult result) {
        if (result instanceof AuthResult.Failure failure) {
            routeStats.decided(failure.outcome(), start);
            HttpResponseStatus status = failure.status();
            chain.respond(status, null, status.code() + " " + status.reasonPhrase() + ": " + failure.reason() + "\n");
            return;
        }
        AuthResult.Answer answer = (AuthResult.Answer) result;
        if (answer.status() >= 200 && answer.status() < 300) {
            HttpHeaders copied = new DefaultHttpHeaders();
            policy.copyHeaders().copy(answer.headers(), copied);
            exchange.request().headers().add(copied);
            if (cacheKey != null && !copied.isEmpty()) {
                // Only answers that identified someone are reused: an anonymous 2xx (a public path) never is.
                cache(exchange.eventLoop()).put(cacheKey, copied, System.nanoTime() + cacheTtlNanos);
            }
            routeStats.decided(AuthStats.Outcome.ALLOWED, start);
            chain.proceed();
            return;
        }
        routeStats.decided(AuthStats.Outcome.DENIED, start);
        if (answer.status() == 401 && policy.unauthorizedRedirect() != null) {
            HttpHeaders redirect = new DefaultHttpHeaders();
            redirect.set(HttpHeaderNames.LOCATION,
                    policy.unauthorizedRedirect().replace("{url}", PercentEncoding.encode(originalUrl)));
            List<String> cookies = answer.headers().getAll(HttpHeaderNames.SET_COOKIE);
            if (!cookies.isEmpty()) {
                redirect.set(HttpHeaderNames.SET_COOKIE, cookies);
            }
            redirect.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            chain.respond(HttpResponseStatus.FOUND, redirect, "");
            return;
        }
        HttpHeaders passed = new DefaultHttpHeaders();
        for (Map.Entry<String, String> header : answer.headers()) {
            if (!CONNECTION_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                passed.add(header.getKey(), header.getValue());
            }
        }
        int code = answer.status();
        boolean bodyless = code == 204 || code == 304;
        chain.respond(HttpResponseStatus.valueOf(code), passed, bodyless ? "" : answer.body());
    }

    /**
     * A client could name an identity header in {@code Connection} so the proxy's hop-by-hop
     * clean-up would remove the value the auth service set; such tokens are dropped.
     */
    private void dropStrippedConnectionTokens(HttpHeaders headers) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        if (connection.isEmpty()) {
            return;
        }
        List<String> kept = new ArrayList<>(connection.size());
        boolean changed = false;
        for (String value : connection) {
            StringBuilder out = new StringBuilder(value.length());
            for (String token : value.split(",")) {
                String name = token.trim();
                if (name.isEmpty()) {
                    continue;
                }
                if (policy.stripHeaders().matches(name)) {
                    changed = true;
                    continue;
                }
                if (out.length() > 0) {
                    out.append(", ");
                }
                out.append(name);
            }
            if (out.length() > 0) {
                kept.add(out.toString());
            }
        }
        if (changed) {
            headers.remove(HttpHeaderNames.CONNECTION);
            if (!kept.isEmpty()) {
                headers.set(HttpHeaderNames.CONNECTION, kept);
            }
        }
    }

    private DecisionCache cache(EventLoop loop) {
        DecisionCache cache = caches.get(loop);
        if (cache == null) {
            cache = caches.computeIfAbsent(loop, l -> new DecisionCache(policy.cacheMaxEntries()));
            loop.terminationFuture().addListener(f -> caches.remove(loop));
        }
        return cache;
    }

    /** The whole subrequest: identical subrequests get identical answers, so they may share one. */
    private static String coalesceKey(HttpHeaders sub) {
        StringBuilder key = new StringBuilder(256);
        for (Map.Entry<String, String> header : sub) {
            key.append(header.getKey().toLowerCase(Locale.ROOT)).append('\n').append(header.getValue()).append('\n');
        }
        return key.toString();
    }

    private String cacheKey(String host, String method, String uri, List<Map.Entry<String, String>> credentials) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        update(digest, host.toLowerCase(Locale.ROOT));
        if (policy.cachePerUri()) {
            update(digest, method);
            update(digest, uri);
        }
        for (Map.Entry<String, String> credential : credentials) {
            update(digest, credential.getKey().toLowerCase(Locale.ROOT));
            update(digest, credential.getValue());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, String value) {
        digest.update(value.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }
}
