package io.hecate.auth.internal;

import io.hecate.core.filter.FilterChain;
import io.hecate.core.filter.FilterExchange;
import io.hecate.core.filter.RouteFilter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP Basic authentication (RFC 7617) against bcrypt hashes. The bcrypt work runs on the
 * {@link PasswordChecker}'s threads; the result comes back to the exchange's event loop. A
 * successful (user, password, hash) triple is remembered in a bounded map, keyed by an HMAC with a
 * per-process random key (never the password), so a client sending the same credentials again
 * costs a hash lookup, not a bcrypt run.
 */
public final class BasicAuthFilter implements RouteFilter {

    private static final byte[] PROCESS_KEY = new byte[32];

    static {
        new SecureRandom().nextBytes(PROCESS_KEY);
    }

    private final Map<String, String> users;
    private final String challenge;
    private final String userHeader;
    private final boolean passAuthorization;
    private final int maxVerified;
    private final PasswordChecker checker;
    private final AuthStats stats;
    /** A hash to verify against for unknown users, so their answer takes as long as a known user's. */
    private final String decoyHash;
    private final Map<String, Boolean> verified = new ConcurrentHashMap<>();

    public BasicAuthFilter(Map<String, String> users, String realm, String userHeader, boolean passAuthorization,
                           int maxVerified, PasswordChecker checker, AuthStats stats) {
        this.users = Map.copyOf(users);
        this.challenge = "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\", charset=\"UTF-8\"";
        this.userHeader = userHeader;
        this.passAuthorization = passAuthorization;
        this.maxVerified = maxVerified;
        this.checker = checker;
        this.stats = stats;
        this.decoyHash = users.values().iterator().next();
    }

    @Override
    public void onRequest(FilterExchange exchange, FilterChain chain) {
        long start = System.nanoTime();
        AuthStats.RouteStats routeStats = stats.route(exchange.routeId(), "basic");
        HttpHeaders headers = exchange.request().headers();
        if (userHeader != null) {
            headers.remove(userHeader); // only Hecate says who the user is
        }
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (!passAuthorization) {
            headers.remove(HttpHeaderNames.AUTHORIZATION);
        }
        String[] credentials = parse(authorization);
        if (credentials == null) {
            refuse(chain, routeStats, start, "credentials required");
            return;
        }
        String user = credentials[0];
        String password = credentials[1];
        String hash = users.get(user);
        String key = hash == null ? null : verifiedKey(user, password, hash);
        if (key != null && verified.containsKey(key)) {
            allow(exchange, chain, routeStats, start, user);
            return;
        }
        routeStats.passwordCheck();
        boolean queued = checker.verify(password, hash != null ? hash : decoyHash, exchange.eventLoop(), ok -> {
            if (ok && key != null) {
                remember(key);
                allow(exchange, chain, routeStats, start, user);
            } else {
                refuse(chain, routeStats, start, "wrong user name or password");
            }
        });
        if (!queued) {
            routeStats.decided(AuthStats.Outcome.OVERLOADED, start);
            HttpHeaders retry = new DefaultHttpHeaders().set(HttpHeaderNames.RETRY_AFTER, 1);
            chain.respond(HttpResponseStatus.SERVICE_UNAVAILABLE, retry,
                    "503 Service Unavailable: too many password checks in progress, try again\n");
        }
    }

    private void allow(FilterExchange exchange, FilterChain chain, AuthStats.RouteStats routeStats, long start, String user) {
        if (userHeader != null) {
            exchange.request().headers().set(userHeader, user);
        }
        routeStats.decided(AuthStats.Outcome.ALLOWED, start);
        chain.proceed();
    }

    private void refuse(FilterChain chain, AuthStats.RouteStats routeStats, long start, String why) {
        routeStats.decided(AuthStats.Outcome.DENIED, start);
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        chain.respond(HttpResponseStatus.UNAUTHORIZED, headers, "401 Unauthorized: " + why + "\n");
    }

    private void remember(String key) {
        if (verified.size() >= maxVerified) {
            // Bounded: drop an arbitrary entry; it costs one more bcrypt run if that user comes back.
            Iterator<String> any = verified.keySet().iterator();
            if (any.hasNext()) {
                any.next();
                any.remove();
            }
        }
        verified.put(key, Boolean.TRUE);
    }

    /** {@code [user, password]} from {@code Basic base64(user:password)}, or null. */
    static String[] parse(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        return new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
    }

    private static String verifiedKey(String user, String password, String hash) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(PROCESS_KEY, "HmacSHA256"));
            mac.update(user.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(password.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(hash.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }
}
