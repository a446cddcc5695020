package io.hecate.core.internal.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1), in
 * both directions, so they never leak to the next hop. Transfer-Encoding goes too: the codec on the
 * other side re-frames the body.
 */
public final class HopByHop {

    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    private HopByHop() {
    }

    public static void strip(HttpHeaders headers) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (int i = 0; i < connection.size(); i++) {
            removeNamedIn(headers, connection.get(i));
        }
        headers.remove(HttpHeaderNames.CONNECTION)
                .remove(HttpHeaderNames.KEEP_ALIVE)
                .remove(PROXY_CONNECTION)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove(HttpHeaderNames.UPGRADE)
                .remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        String te = headers.get(HttpHeaderNames.TE);
        if (te != null && !HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(te.trim())) {
            headers.remove(HttpHeaderNames.TE);
        }
    }

    private static void removeNamedIn(HttpHeaders headers, String value) {
        int start = 0;
        while (start < value.length()) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? value.length() : comma;
            String token = value.substring(start, end).trim();
            if (!token.isEmpty() && !isFraming(token)) {
                headers.remove(token);
            }
            start = end + 1;
        }
    }

    /** A client must not be able to strip the headers that route and frame the message. */
    private static boolean isFraming(String token) {
        return HttpHeaderNames.HOST.contentEqualsIgnoreCase(token)
                || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(token)
                || ForwardedHeaders.X_FORWARDED_FOR.contentEqualsIgnoreCase(token);
    }
}
