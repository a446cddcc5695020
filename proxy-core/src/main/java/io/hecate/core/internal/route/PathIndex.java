package io.hecate.core.internal.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The routes of one host bucket, indexed by path so a lookup costs a few hash probes however many
 * routes there are: exact paths first, then prefixes from the longest, then regular expressions in
 * order, then routes without a path condition.
 */
final class PathIndex {

    private final Map<String, List<Route>> exact = new HashMap<>();
    private final Map<String, List<Route>> prefixes = new HashMap<>();
    private int[] prefixLengths = new int[0];
    private final List<Pattern> regexes = new ArrayList<>();
    private final List<Route> regexRoutes = new ArrayList<>();
    private final List<Route> anyPath = new ArrayList<>();

    void addExact(String path, Route route) {
        exact.computeIfAbsent(path, p -> new ArrayList<>(1)).add(route);
    }

    void addPrefix(String prefix, Route route) {
        prefixes.computeIfAbsent(prefix, p -> new ArrayList<>(1)).add(route);
    }

    void addRegex(Pattern pattern, Route route) {
        regexes.add(pattern);
        regexRoutes.add(route);
    }

    void addAnyPath(Route route) {
        anyPath.add(route);
    }

    /** Called once all routes are in; lookups start after this. */
    void seal() {
        TreeSet<Integer> lengths = new TreeSet<>(java.util.Comparator.reverseOrder());
        for (String prefix : prefixes.keySet()) {
            lengths.add(prefix.length());
        }
        prefixLengths = lengths.stream().mapToInt(Integer::intValue).toArray();
    }

    Route find(String path, HttpMethod method, HttpHeaders headers, String scheme) {
        Route found = first(exact.get(path), method, headers, scheme);
        if (found != null) {
            return found;
        }
        for (int length : prefixLengths) {
            if (length <= path.length()) {
                found = first(prefixes.get(path.substring(0, length)), method, headers, scheme);
                if (found != null) {
                    return found;
                }
            }
        }
        for (int i = 0; i < regexes.size(); i++) {
            Route route = regexRoutes.get(i);
            if (route.accepts(method, headers, scheme) && regexes.get(i).matcher(path).matches()) {
                return route;
            }
        }
        return first(anyPath, method, headers, scheme);
    }

    private static Route first(List<Route> candidates, HttpMethod method, HttpHeaders headers, String scheme) {
        if (candidates == null) {
            return null;
        }
        for (int i = 0; i < candidates.size(); i++) {
            Route route = candidates.get(i);
            if (route.accepts(method, headers, scheme)) {
                return route;
            }
        }
        return null;
    }
}
