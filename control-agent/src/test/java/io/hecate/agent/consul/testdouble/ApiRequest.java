package io.hecate.agent.consul.testdouble;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request as the endpoints see it: method, decoded path, query parameters decoded as Go's
 * {@code url.ParseQuery} does ("+" is a space), the body, and the listening generation it arrived in.
 */
final class ApiRequest {

    private final String method;
    private final String path;
    private final Map<String, List<String>> query;
    private final byte[] body;
    private final long generation;

    ApiRequest(String method, String path, String rawQuery, byte[] body, long generation) {
        this.method = method;
        this.path = path;
        this.query = parseQuery(rawQuery);
        this.body = body;
        this.generation = generation;
    }

    String method() {
        return method;
    }

    String path() {
        return path;
    }

    byte[] body() {
        return body;
    }

    long generation() {
        return generation;
    }

    /** Whether the parameter is present, with or without a value ({@code ?recurse} counts). */
    boolean has(String name) {
        return query.containsKey(name);
    }

    /** The parameter's first value, "" when present without one, null when absent. */
    String param(String name) {
        List<String> values = query.get(name);
        return values == null ? null : values.get(0);
    }

    List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** The body as JSON; {@code problem} prefixes the decoder's error in the 400 answer, as each endpoint words it. */
    JsonElement json(String problem) {
        try {
            return JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw ApiError.badRequest(problem + why);
        }
    }

    /** The unsigned integer parameter, or {@code absent}; a malformed one is an RPC-level error (500), as in Consul. */
    long unsigned(String name, long absent) {
        String v = param(name);
        if (v == null) {
            return absent;
        }
        try {
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw ApiError.rpc("strconv.ParseUint: parsing \"" + v + "\": invalid syntax");
        }
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("[&;]")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
