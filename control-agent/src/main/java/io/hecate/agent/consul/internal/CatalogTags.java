package io.hecate.agent.consul.internal;

import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a catalog service's {@code hecate.*} tags (the grammar is in {@code docs/consul.md}):
 * whether it is an upstream, under what name and with what settings, and the routes it asks for,
 * written out as route and upstream documents so that they are read and checked exactly like the
 * documents in KV.
 *
 * @param upstream the upstream's name
 * @param upstreamSettings the upstream document without its targets (protocol, balance)
 * @param routes   route id to route document
 * @param problems tags that could not be read, each naming the tag
 */
public record CatalogTags(String upstream, Map<String, Object> upstreamSettings, Map<String, String> routes,
                          List<String> problems) {

    public static final String PREFIX = "hecate.";
    public static final String ENABLE = "hecate.enable=true";
    private static final String UPSTREAM_TAG = "hecate.upstream=";
    private static final List<String> ROUTE_KEYS = List.of("host", "path", "path_prefix", "strip_prefix");
    private static final List<String> UPSTREAM_KEYS = List.of("upstream", "protocol", "balance");
    private static final Dump YAML = new Dump(DumpSettings.builder().build());

    /** Whether the service asked to be served by Hecate. */
    public static boolean enabled(List<String> tags) {
        return tags != null && tags.contains(ENABLE);
    }

    /** The upstream name an enabled service's tags give it. */
    public static String upstreamName(String service, List<String> tags) {
        for (String tag : tags.stream().sorted().toList()) {
            if (tag.startsWith(UPSTREAM_TAG) && tag.length() > UPSTREAM_TAG.length()) {
                return tag.substring(UPSTREAM_TAG.length()).trim();
            }
        }
        return service;
    }

    /**
     * @param service the service's name in the catalog
     * @param tags    the tags of its instances (Consul's catalog gives their union)
     */
    public static CatalogTags read(String service, List<String> tags) {
        List<String> problems = new ArrayList<>();
        Map<String, Object> upstream = new LinkedHashMap<>();
        Map<String, Map<String, String>> routeKeys = new TreeMap<>();
        // Sorted, so that when instances disagree the same value wins on every node.
        for (String tag : tags.stream().sorted().toList()) {
            if (!tag.startsWith(PREFIX) || tag.equals(ENABLE)) {
                continue;
            }
            int equals = tag.indexOf('=');
            if (equals < 0) {
                problems.add("tag \"" + tag + "\": expected hecate.KEY=VALUE");
                continue;
            }
            String key = tag.substring(PREFIX.length(), equals).trim();
            String value = tag.substring(equals + 1).trim();
            String routeName = "";
            if (key.startsWith("route.")) {
                int dot = key.indexOf('.', "route.".length());
                if (dot < 0) {
                    problems.add("tag \"" + tag + "\": expected hecate.route.NAME.KEY=VALUE");
                    continue;
                }
                routeName = key.substring("route.".length(), dot);
                key = key.substring(dot + 1);
                if (!routeName.matches("[A-Za-z0-9_-]+")) {
                    problems.add("tag \"" + tag + "\": a route name is letters, digits, - and _");
                    continue;
                }
            }
            if (ROUTE_KEYS.contains(key)) {
                String previous = routeKeys.computeIfAbsent(routeName, n -> new LinkedHashMap<>()).put(key, value);
                if (previous != null && !previous.equals(value)) {
                    problems.add("tag \"" + tag + "\": instances disagree (also " + previous + "); using " + value);
                }
            } else if (routeName.isEmpty() && UPSTREAM_KEYS.contains(key)) {
                if (!key.equals("upstream")) {
                    upstream.put(key, key.equals("balance") ? Map.of("policy", value) : value);
                }
            } else if (!(routeName.isEmpty() && key.equals("enable"))) {
                problems.add("tag \"" + tag + "\": unknown key " + key + "; expected one of "
                        + String.join(", ", ROUTE_KEYS) + (routeName.isEmpty() ? ", " + String.join(", ", UPSTREAM_KEYS)
                        : ""));
            }
        }
        String name = upstreamName(service, tags);
        Map<String, String> routes = new LinkedHashMap<>();
        routeKeys.forEach((routeName, keys) -> {
            String id = "catalog-" + service + (routeName.isEmpty() ? "" : "-" + routeName);
            if (!keys.containsKey("host") && !keys.containsKey("path") && !keys.containsKey("path_prefix")) {
                problems.add("route " + id + ": needs hecate." + (routeName.isEmpty() ? "" : "route." + routeName + ".")
                        + "host, path or path_prefix");
                return;
            }
            routes.put(id, routeDocument(id, name, keys));
        });
        return new CatalogTags(name, upstream, routes, problems);
    }

    private static String routeDocument(String id, String upstream, Map<String, String> keys) {
        Map<String, Object> match = new LinkedHashMap<>();
        for (String key : List.of("host", "path", "path_prefix")) {
            if (keys.containsKey(key)) {
                match.put(key, keys.get(key));
            }
        }
        Map<String, Object> proxy = new LinkedHashMap<>();
        proxy.put("upstream", upstream);
        if (keys.containsKey("strip_prefix")) {
            proxy.put("strip_prefix", keys.get("strip_prefix"));
        }
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("id", id);
        route.put("match", match);
        route.put("proxy", proxy);
        return YAML.dumpToString(route);
    }

    /** The upstream document for these settings and targets ({@code host:port}). */
    public String upstreamDocument(List<String> targets) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("targets", targets);
        document.putAll(upstreamSettings);
        return YAML.dumpToString(document);
    }
}
