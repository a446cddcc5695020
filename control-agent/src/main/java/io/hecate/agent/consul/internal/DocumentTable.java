package io.hecate.agent.consul.internal;

import io.hecate.core.config.ConfigDocuments;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.ConfigValidator;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Routes (by id) and upstreams (by name) as documents of their own, each named by where it comes
 * from, checked together as the route table they make: every document on its own with
 * {@link ConfigDocuments}, then all of them at once with {@link ConfigValidator}, whose problems
 * ({@code routes[3].proxy.upstream}, {@code upstreams.app.targets[0]}) are put back on each
 * document's own source, key and line ({@code consul:hecate/routes/api:4: route.proxy.upstream}).
 */
public final class DocumentTable {

    /**
     * @param source names the document in problems: {@code consul:<key>}, a file, a place in a backup
     * @param text   the document, YAML or JSON
     */
    public record Document(String source, String text) {
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern ROUTE_PATH = Pattern.compile("routes\\[(\\d+)](.*)");
    /** Stands in for an upstream that exists but is not checked here (a catalog service, a broken document). */
    private static final UpstreamConfig STAND_IN = UpstreamConfig.of("stand-in.invalid:1");

    private final SortedMap<String, Document> routes;
    private final SortedMap<String, Document> upstreams;

    private DocumentTable(SortedMap<String, Document> routes, SortedMap<String, Document> upstreams) {
        this.routes = Collections.unmodifiableSortedMap(routes);
        this.upstreams = Collections.unmodifiableSortedMap(upstreams);
    }

    public static DocumentTable empty() {
        return new DocumentTable(new TreeMap<>(), new TreeMap<>());
    }

    /** The documents stored in KV, each named {@code consul:<key>}. */
    public static DocumentTable of(KvDocuments stored) {
        return new DocumentTable(stored(stored.routes()), stored(stored.upstreams()));
    }

    private static SortedMap<String, Document> stored(Map<String, KvDocument> documents) {
        SortedMap<String, Document> named = new TreeMap<>();
        documents.forEach((name, document) -> named.put(name,
                new Document("consul:" + document.key(), document.text())));
        return named;
    }

    /** The documents of a backup, each named {@code <source>#routes/<id>} or {@code <source>#upstreams/<name>}. */
    public static DocumentTable of(Backup backup, String source) {
        return new DocumentTable(backedUp(backup.routes(), source + "#routes/"),
                backedUp(backup.upstreams(), source + "#upstreams/"));
    }

    private static SortedMap<String, Document> backedUp(Map<String, String> texts, String place) {
        SortedMap<String, Document> named = new TreeMap<>();
        texts.forEach((name, text) -> named.put(name, new Document(place + name, text)));
        return named;
    }

    /** Whether a route id or upstream name can be a key: letters, digits, {@code .}, {@code _} and {@code -}. */
    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    public DocumentTable withRoute(String id, Document document) {
        SortedMap<String, Document> changed = new TreeMap<>(routes);
        changed.put(id, document);
        return new DocumentTable(changed, new TreeMap<>(upstreams));
    }

    public DocumentTable withUpstream(String name, Document document) {
        SortedMap<String, Document> changed = new TreeMap<>(upstreams);
        changed.put(name, document);
        return new DocumentTable(new TreeMap<>(routes), changed);
    }

    /** Reads every document; what the table as a whole lacks is asked of {@link Checked#problems(Set)}. */
    public Checked check() {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, RouteConfig> parsedRoutes = new LinkedHashMap<>();
        routes.forEach((id, document) -> {
            invalidName(id, "route", document).ifPresent(problems::add);
            try {
                RouteConfig route = ConfigDocuments.route(document.source(), id, document.text());
                if (!route.id().equals(id)) {
                    problems.add(new ConfigProblem(document.source(), KeyLines.line(document.text(), "id"),
                            "route.id", "is \"" + route.id() + "\" but the route is stored as \"" + id
                            + "\": they must match (or leave id out)"));
                    route = new RouteConfig(id, route.match(), route.action(), route.filters(),
                            route.securityHeaders());
                }
                parsedRoutes.put(id, route);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        });
        Map<String, UpstreamConfig> parsedUpstreams = new LinkedHashMap<>();
        upstreams.forEach((name, document) -> {
            invalidName(name, "upstream", document).ifPresent(problems::add);
            try {
                parsedUpstreams.put(name, ConfigDocuments.upstream(document.source(), document.text()));
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        });
        return new Checked(parsedRoutes, parsedUpstreams, problems);
    }

    private static Optional<ConfigProblem> invalidName(String name, String kind, Document document) {
        return isValidName(name) ? Optional.empty() : Optional.of(new ConfigProblem(
                document.source(), 0, kind, "\"" + name + "\" is not a valid " + kind + " name: use letters, digits,"
                + " '.', '_' and '-', starting with a letter or digit"));
    }

    /** The table's documents, read; {@link #problems(Set)} checks them together. */
    public final class Checked {

        private final Map<String, RouteConfig> parsedRoutes;
        private final Map<String, UpstreamConfig> parsedUpstreams;
        private final List<ConfigProblem> documentProblems;

        private Checked(Map<String, RouteConfig> parsedRoutes, Map<String, UpstreamConfig> parsedUpstreams,
                        List<ConfigProblem> documentProblems) {
            this.parsedRoutes = parsedRoutes;
            this.parsedUpstreams = parsedUpstreams;
            this.documentProblems = documentProblems;
        }

        /** The ids of the routes that proxy to {@code upstream}. */
        public List<String> routesUsing(String upstream) {
            return parsedRoutes.entrySet().stream()
                    .filter(route -> upstream.equals(upstreamOf(route.getValue())))
                    .map(Map.Entry::getKey)
                    .toList();
        }

        /** The upstreams routes name that no document here defines: only the catalog can offer them. */
        public Set<String> upstreamsOutside() {
            Set<String> names = new TreeSet<>();
            for (RouteConfig route : parsedRoutes.values()) {
                String upstream = upstreamOf(route);
                if (upstream != null && !upstream.isBlank() && !upstreams.containsKey(upstream)) {
                    names.add(upstream);
                }
            }
            return names;
        }

        /**
         * Every problem of the table, by source and line.
         *
         * @param catalog the upstream names the Consul catalog offers ({@link CatalogUpstreams})
         */
        public List<ConfigProblem> problems(Set<String> catalog) {
            ProxyConfig.Builder table = ProxyConfig.builder();
            parsedUpstreams.forEach(table::upstream);
            // Existing but unchecked: a broken document (its own problems are reported) or a catalog service.
            upstreams.keySet().stream().filter(name -> !parsedUpstreams.containsKey(name))
                    .forEach(name -> table.upstream(name, STAND_IN));
            upstreamsOutside().stream().filter(catalog::contains).forEach(name -> table.upstream(name, STAND_IN));
            parsedRoutes.values().forEach(table::route);
            ProxyConfig config = table.build();
            List<ConfigProblem> problems = new ArrayList<>(documentProblems);
            List<String> ids = new ArrayList<>(parsedRoutes.keySet());
            for (ConfigProblem problem : ConfigValidator.validate(config)) {
                problems.add(onDocument(problem, ids, config.upstreams().keySet()));
            }
            problems.sort(Comparator.comparing((ConfigProblem p) -> String.valueOf(p.source()))
                    .thenComparingInt(ConfigProblem::line));
            return problems;
        }

        /** The validator names {@code routes[i]...} and {@code upstreams.NAME...}; a document knows only its keys. */
        private ConfigProblem onDocument(ConfigProblem problem, List<String> ids, Set<String> upstreamNames) {
            Matcher route = ROUTE_PATH.matcher(problem.path());
            if (route.matches()) {
                String id = ids.get(Integer.parseInt(route.group(1)));
                String rest = route.group(2);
                String message = problem.message();
                String upstream = upstreamOf(parsedRoutes.get(id));
                if (rest.equals(".proxy.upstream") && upstream != null && !upstreamNames.contains(upstream)) {
                    message += "; no upstream document defines it, and no Consul catalog service offers it (one"
                            + " tagged " + CatalogUpstreams.ENABLE_TAG + " and named \"" + upstream + "\", or tagged "
                            + CatalogUpstreams.UPSTREAM_TAG + upstream + ")";
                }
                return located(routes.get(id), "route", rest, message);
            }
            String path = problem.path();
            // Upstream names may hold dots: the longest name the path starts with is the one meant.
            String name = upstreamNames.stream()
                    .filter(n -> path.equals("upstreams." + n) || path.startsWith("upstreams." + n + "."))
                    .max(Comparator.comparingInt(String::length))
                    .orElse(null);
            if (name != null && upstreams.containsKey(name)) {
                return located(upstreams.get(name), "upstream", path.substring(("upstreams." + name).length()),
                        problem.message());
            }
            return problem;
        }

        private static ConfigProblem located(Document document, String kind, String rest, String message) {
            String key = rest.startsWith(".") ? rest.substring(1) : rest;
            return new ConfigProblem(document.source(), key.isEmpty() ? 0 : KeyLines.line(document.text(), key),
                    kind + rest, message);
        }

        private static String upstreamOf(RouteConfig route) {
            return route != null && route.action() instanceof ProxyAction proxy ? proxy.upstream() : null;
        }
    }
}
