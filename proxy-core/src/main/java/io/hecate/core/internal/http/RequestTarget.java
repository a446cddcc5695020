package io.hecate.core.internal.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.util.List;
import java.util.Locale;

/**
 * The host and path a request is for, taken from its request target and Host header (RFC 9112
 * 3.2). Absolute-form targets are turned into origin-form, as a request to an origin must be.
 *
 * @param host      lower-case host without port, or {@code null} when none was given
 * @param authority the Host value as sent (with port), for X-Forwarded-Host and redirects
 * @param path      the path, without the query
 * @param query     the query without {@code ?}, or {@code null}
 */
public record RequestTarget(String host, String authority, String path, String query) {

    /** Why a request cannot be routed; the message is sent to the client with a 400. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message, null, false, false);
        }
    }

    public static RequestTarget of(HttpRequest request) throws Invalid {
        String uri = request.uri();
        String authority;
        if (uri.startsWith("/")) {
            authority = singleHost(request.headers(), request.protocolVersion());
        } else if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
            int start = uri.indexOf("//") + 2;
            int slash = uri.indexOf('/', start);
            authority = uri.substring(start, slash < 0 ? uri.length() : slash);
            uri = slash < 0 ? "/" : uri.substring(slash);
            request.setUri(uri);
            request.headers().set(HttpHeaderNames.HOST, authority);
        } else if ("*".equals(uri)) {
            authority = singleHost(request.headers(), request.protocolVersion());
        } else {
            throw new Invalid("request target \"" + uri + "\" is not a path");
        }
        int question = uri.indexOf('?');
        String path = question < 0 ? uri : uri.substring(0, question);
        String query = question < 0 ? null : uri.substring(question + 1);
        if (hasDotSegment(path)) {
            throw new Invalid("path \"" + path + "\" contains a . or .. segment");
        }
        return new RequestTarget(hostOf(authority), authority, path, query);
    }

    /**
     * Routes match the raw path, so {@code /public/../admin} must not reach a backend that would
     * resolve it to a route the proxy never matched (and never authorised). Encoded dots count too.
     */
    private static boolean hasDotSegment(String path) {
        if (path.indexOf('.') < 0 && path.indexOf('%') < 0) {
            return false;
        }
        int start = 0;
        while (start <= path.length()) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            String segment = path.substring(start, end).replace("%2e", ".").replace("%2E", ".");
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
            if (slash < 0) {
                return false;
            }
            start = slash + 1;
        }
        return false;
    }

    private static String singleHost(HttpHeaders headers, HttpVersion version) throws Invalid {
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            throw new Invalid("more than one Host header");
        }
        if (hosts.isEmpty()) {
            if (version.minorVersion() >= 1) {
                throw new Invalid("missing Host header");
            }
            return null;
        }
        return hosts.get(0);
    }

    private static String hostOf(String authority) {
        if (authority == null || authority.isEmpty()) {
            return null;
        }
        int end = authority.length();
        if (authority.charAt(0) == '[') {
            int close = authority.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        if (end > 0 && authority.charAt(end - 1) == '.') {
            end--;
        }
        return authority.substring(0, end).toLowerCase(Locale.ROOT);
    }

    public String uri() {
        return query == null ? path : path + "?" + query;
    }
}
