package io.hecate.auth.internal;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A set of header names, each exact ({@code Remote-User}) or a prefix ending in {@code *}
 * ({@code X-authentik-*}), compared case-insensitively.
 */
public final class HeaderPatterns {

    public static final HeaderPatterns NONE = new HeaderPatterns(List.of(), List.of(), List.of());

    private final List<String> exact;
    private final List<String> prefixes;
    private final List<String> written;

    private HeaderPatterns(List<String> exact, List<String> prefixes, List<String> written) {
        this.exact = exact;
        this.prefixes = prefixes;
        this.written = written;
    }

    /** @throws IllegalArgumentException naming the entry that is not a header name or prefix */
    public static HeaderPatterns of(List<String> patterns, String key) {
        List<String> exact = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            String pattern = patterns.get(i);
            boolean prefix = pattern.endsWith("*");
            String name = prefix ? pattern.substring(0, pattern.length() - 1) : pattern;
            if (name.isEmpty() || !isToken(name)) {
                throw new IllegalArgumentException(key + "[" + i + "]: \"" + pattern
                        + "\" is not a header name (or a name prefix ending in *)");
            }
            (prefix ? prefixes : exact).add(name.toLowerCase(Locale.ROOT));
        }
        return new HeaderPatterns(List.copyOf(exact), List.copyOf(prefixes), List.copyOf(patterns));
    }

    public HeaderPatterns plus(HeaderPatterns other) {
        List<String> exact = new ArrayList<>(this.exact);
        List<String> prefixes = new ArrayList<>(this.prefixes);
        List<String> written = new ArrayList<>(this.written);
        exact.addAll(other.exact);
        prefixes.addAll(other.prefixes);
        written.addAll(other.written);
        return new HeaderPatterns(List.copyOf(exact), List.copyOf(prefixes), List.copyOf(written));
    }

    public boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty();
    }

    public List<String> written() {
        return written;
    }

    public boolean matches(CharSequence name) {
        String lower = name.toString().toLowerCase(Locale.ROOT);
        for (String e : exact) {
            if (e.equals(lower)) {
                return true;
            }
        }
        for (String p : prefixes) {
            if (lower.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Removes every header that matches from {@code headers}. */
    public void removeFrom(HttpHeaders headers) {
        if (isEmpty() || headers.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(2);
        for (Map.Entry<String, String> header : headers) {
            if (matches(header.getKey())) {
                names.add(header.getKey());
            }
        }
        for (String name : names) {
            headers.remove(name);
        }
    }

    /** Copies every header of {@code from} that matches into {@code to}, replacing what {@code to} had. */
    public void copy(HttpHeaders from, HttpHeaders to) {
        if (isEmpty()) {
            return;
        }
        List<String> seen = new ArrayList<>(4);
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey();
            if (matches(name) && seen.stream().noneMatch(name::equalsIgnoreCase)) {
                seen.add(name);
                to.set(name, from.getAll(name));
            }
        }
    }

    /** Whether {@code headers} has any header that matches. */
    public boolean anyIn(HttpHeaders headers) {
        for (Map.Entry<String, String> header : headers) {
            if (matches(header.getKey())) {
                return true;
            }
        }
        return false;
    }

    static boolean isToken(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return String.join(", ", written);
    }
}
