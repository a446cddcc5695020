package io.hecate.core.internal.limit;

import io.hecate.core.filter.FilterExchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * What a limit's buckets are keyed by: the client address (after the trusted-proxy rules), a
 * request header, the authenticated user (a header an auth filter earlier in the chain set), or
 * the route as a whole. A request without the header is not subject to that limit.
 *
 * <p>Keys are bounded in size, so a flood of long header values cannot grow the heap beyond
 * {@code max_keys} small entries: a value longer than {@value #MAX_KEY_CHARS} characters is
 * replaced by its SHA-256 digest.
 */
record LimitKey(Kind kind, String header) {

    static final int MAX_KEY_CHARS = 64;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    enum Kind {
        CLIENT_ADDRESS("client_address"), ROUTE("route"), HEADER("header"), USER("user");

        final String configName;

        Kind(String configName) {
            this.configName = configName;
        }
    }

    /** The header {@code key: user} reads unless told otherwise: what forward auth copies upstream. */
    static final String DEFAULT_USER_HEADER = "Remote-User";

    static final LimitKey CLIENT_ADDRESS = new LimitKey(Kind.CLIENT_ADDRESS, null);
    static final LimitKey ROUTE = new LimitKey(Kind.ROUTE, null);

    /** The request's key, or {@code null} when the limit does not apply to it (no such header). */
    String of(FilterExchange exchange) {
        String value = switch (kind) {
            case CLIENT_ADDRESS -> exchange.clientAddress();
            case ROUTE -> "";
            case HEADER, USER -> exchange.request().headers().get(header);
        };
        if (value == null || (value.isEmpty() && kind != Kind.ROUTE)) {
            return null;
        }
        return bounded(value);
    }

    static String bounded(String value) {
        if (value.length() <= MAX_KEY_CHARS) {
            return value;
        }
        byte[] digest = SHA256.get().digest(value.getBytes(StandardCharsets.UTF_8));
        return "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    String describe() {
        return header == null ? kind.configName : kind.configName + " " + header;
    }
}
