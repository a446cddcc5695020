package io.hecate.core.internal.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.List;

/** Sets X-Forwarded-For/-Proto/-Host and Via on a request going upstream. */
public final class ForwardedHeaders {

    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final String VIA_VALUE = "1.1 hecate";

    private ForwardedHeaders() {
    }

    /**
     * Extends what a trusted peer sent; replaces what an untrusted one sent, so a client cannot
     * claim another address.
     */
    public static void apply(HttpHeaders headers, String peerIp, boolean peerTrusted, String scheme, String host) {
        String forwardedFor = peerTrusted ? forwardedFor(headers) : null;
        headers.set(X_FORWARDED_FOR, forwardedFor == null ? peerIp : forwardedFor + ", " + peerIp);
        if (!peerTrusted || !headers.contains(X_FORWARDED_PROTO)) {
            headers.set(X_FORWARDED_PROTO, scheme);
        }
        if (!peerTrusted || !headers.contains(X_FORWARDED_HOST)) {
            if (host == null) {
                headers.remove(X_FORWARDED_HOST);
            } else {
                headers.set(X_FORWARDED_HOST, host);
            }
        }
        headers.add(HttpHeaderNames.VIA, VIA_VALUE);
    }

    /** All X-Forwarded-For field lines as one list: a client may legally send several lines. */
    public static String forwardedFor(HttpHeaders headers) {
        List<String> lines = headers.getAll(X_FORWARDED_FOR);
        return switch (lines.size()) {
            case 0 -> null;
            case 1 -> lines.get(0);
            default -> String.join(", ", lines);
        };
    }

    public static void addVia(HttpHeaders headers) {
        headers.add(HttpHeaderNames.VIA, VIA_VALUE);
    }
}
