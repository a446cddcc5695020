package io.hecate.agent.consul.internal;

import io.hecate.core.config.ConfigDocuments;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.ConfigValidator;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins the file's configuration with what Consul holds into one configuration, document by
 * document: a document that does not parse, or that the joined configuration shows to be wrong
 * (a route naming an upstream nobody defines, say), is rejected with its key and the error, and
 * its last good version, if it had one, stays in its place; the other documents are applied.
 *
 * <p>Conflicts: the same route id or upstream name from two sources is settled file first, then
 * KV, then the catalog; the loser is rejected and reported. Routes keep the order file, KV (by
 * key), catalog (by service), which only matters for ties (decision 0005).
 *
 * <p>Used by one thread at a time (the reload), so its memory of good versions needs no locks.
 */
public final class ConfigAssembly {

    private static final Pattern ROUTE_PATH = Pattern.compile("^routes\\[(\\d+)](.*)$");
    private static final Pattern UPSTREAM_PATH = Pattern.compile("^upstreams\\.([^.\\[]+)(.*)$");
    /** Each pass rejects at least one document, so this bounds nothing a real table reaches. */
    private static final int MAX_PASSES = 1000;

    /** A document that was not applied, and why. */
    public record Rejection(String source, String message) {
        @Override
        public String toString() {
            return source + ": " + message;
        }
    }

    /** The joined configuration, and the documents left out of it. */
    public record Result(ProxyConfig config, List<Rejection> rejections) {
    }

    /** Where a route or upstream came from: the file, a KV key (at an index), or a catalog service. */
    private record Origin(String source, String kvKey, long modifyIndex) {
        boolean fromConsul() {
            return source.startsWith("consul");
        }
    }

    private record Piece<T>(Origin origin, String name, T value) {
    }

    /** A document version the proxy could not apply (a filter's settings, say), and why. */
    private record Unusable(long modifyIndex, String message) {
    }

    private final KvLayout layout;
    private final Map<String, Piece<RouteConfig>> goodRoutes = new HashMap<>();
    private final Map<String, Piece<UpstreamConfig>> goodUpstreams = new HashMap<>();
    private final Map<String, Unusable> unusable = new HashMap<>();
    /** The pieces of the configuration assembled last: good once the proxy applied it. */
    private List<Piece<RouteConfig>> lastRoutes = List.of();
    private Map<String, Piece<UpstreamConfig>> lastUpstreams = Map.of();

    public ConfigAssembly(KvLayout layout) {
        this.layout = layout;
    }

    /**
     * @throws ConfigException when the joined configuration is wrong in a way no Consul document
     *                         explains (then nothing is applied and the running one stays)
     */
    public Result assemble(ProxyConfig base, ConsulState state) throws ConfigException {
        // The proxy did not say otherwise (rejected), so what was assembled last was applied.
        remember(lastRoutes, lastUpstreams);
        lastRoutes = List.of();
        lastUpstreams = Map.of();
        List<Rejection> rejections = new ArrayList<>();
        state.refusals().forEach(refusal -> rejections.add(new Rejection("consul:" + layout.prefix(), refusal)));
        List<Piece<RouteConfig>> routes = new ArrayList<>();
        Map<String, Piece<UpstreamConfig>> upstreams = new LinkedHashMap<>();
        Origin file = new Origin("file", null, 0);
        base.routes().forEach(r -> routes.add(new Piece<>(file, r.id(), r)));
        base.upstreams().forEach((n, u) -> upstreams.put(n, new Piece<>(file, n, u)));

        List<Piece<UpstreamConfig>> consulUpstreams = new ArrayList<>();
        List<Piece<RouteConfig>> consulRoutes = new ArrayList<>();
        readKv(state, consulUpstreams, consulRoutes, rejections);
        readCatalog(state, consulUpstreams, consulRoutes, rejections);
        for (Piece<UpstreamConfig> piece : consulUpstreams) {
            Piece<UpstreamConfig> winner = upstreams.get(piece.name());
            if (winner != null) {
                rejections.add(new Rejection(piece.origin().source(), "upstream " + piece.name() + " is also defined by "
                        + winner.origin().source() + ", which wins (file, then KV, then catalog)"));
            } else {
                upstreams.put(piece.name(), piece);
            }
        }
        for (Piece<RouteConfig> piece : consulRoutes) {
            Piece<RouteConfig> winner = routes.stream().filter(r -> r.name().equals(piece.name())).findFirst()
                    .orElse(null);
            if (winner != null) {
                rejections.add(new Rejection(piece.origin().source(), "route id " + piece.name() + " is also used by "
                        + winner.origin().source() + ", which wins (file, then KV, then catalog)"));
            } else {
                routes.add(piece);
            }
        }
        ProxyConfig config = settle(base, routes, upstreams, rejections);
        lastRoutes = List.copyOf(routes);
        lastUpstreams = Map.copyOf(upstreams);
        return new Result(config, rejections);
    }

    /**
     * The proxy could not apply what was assembled last: the Consul documents its problems point
     * at are unusable in their present version (until they change), and the others become good.
     *
     * @return the documents left out, empty when no Consul document explains the problems
     */
    public List<Rejection> rejected(ConfigException problems) {
        List<Rejection> rejections = new ArrayList<>();
        Map<String, Piece<UpstreamConfig>> upstreams = new LinkedHashMap<>(lastUpstreams);
        List<Piece<RouteConfig>> routes = new ArrayList<>(lastRoutes);
        for (ConfigProblem problem : problems.problems()) {
            Piece<?> piece = null;
            String where = problem.path();
            Matcher route = ROUTE_PATH.matcher(problem.path());
            Matcher upstream = UPSTREAM_PATH.matcher(problem.path());
            if (route.matches() && Integer.parseInt(route.group(1)) < lastRoutes.size()) {
                piece = lastRoutes.get(Integer.parseInt(route.group(1)));
                where = "route" + route.group(2);
                routes.remove(piece);
            } else if (upstream.matches() && lastUpstreams.containsKey(upstream.group(1))) {
                piece = lastUpstreams.get(upstream.group(1));
                where = "upstream" + upstream.group(2);
                upstreams.remove(upstream.group(1));
            }
            if (piece != null && piece.origin().kvKey() != null) {
                String message = where + ": " + problem.message();
                unusable.put(piece.origin().kvKey(), new Unusable(piece.origin().modifyIndex(), message));
                rejections.add(new Rejection(piece.origin().source(), message));
            }
        }
        if (!rejections.isEmpty()) {
            lastRoutes = routes;
            lastUpstreams = upstreams;
        }
        return rejections;
    }

    /** A reason when this version of the document was found unusable before, else {@code null}. */
    private String unusable(ConsulState.Document document) {
        Unusable known = unusable.get(document.key());
        if (known == null) {
            return null;
        }
        if (known.modifyIndex() != document.modifyIndex()) {
            unusable.remove(document.key());
            return null;
        }
        return known.message();
    }

    private void readKv(ConsulState state, List<Piece<UpstreamConfig>> upstreams, List<Piece<RouteConfig>> routes,
                        List<Rejection> rejections) {
        Set<String> live = new java.util.HashSet<>();
        for (ConsulState.Document document : state.upstreams().values()) {
            String name = KvLayout.leaf(layout.upstreams(), document.key());
            if (name == null) {
                continue;
            }
            live.add(document.key());
            Origin origin = new Origin("consul:" + document.key(), document.key(), document.modifyIndex());
            try {
                refuseIfUnusable(origin, document);
                upstreams.add(new Piece<>(origin, name, ConfigDocuments.upstream(origin.source(), document.text())));
            } catch (ConfigException e) {
                reject(rejections, origin, e.problems(), goodUpstreams.get(document.key()));
                Piece<UpstreamConfig> good = goodUpstreams.get(document.key());
                if (good != null) {
                    upstreams.add(good);
                }
            }
        }
        for (ConsulState.Document document : state.routes().values()) {
            String id = KvLayout.leaf(layout.routes(), document.key());
            if (id == null) {
                continue;
            }
            live.add(document.key());
            Origin origin = new Origin("consul:" + document.key(), document.key(), document.modifyIndex());
            try {
                refuseIfUnusable(origin, document);
                RouteConfig route = ConfigDocuments.route(origin.source(), id, document.text());
                if (!route.id().equals(id)) {
                    throw new ConfigException(List.of(new ConfigProblem(origin.source(), 0, "route.id",
                            "is " + route.id() + " but the key names " + id + ": they must agree")));
                }
                routes.add(new Piece<>(origin, id, route));
            } catch (ConfigException e) {
                reject(rejections, origin, e.problems(), goodRoutes.get(document.key()));
                Piece<RouteConfig> good = goodRoutes.get(document.key());
                if (good != null) {
                    routes.add(good);
                }
            }
        }
        goodRoutes.keySet().retainAll(live);
        goodUpstreams.keySet().retainAll(live);
        unusable.keySet().retainAll(live);
    }

    private void refuseIfUnusable(Origin origin, ConsulState.Document document) throws ConfigException {
        String reason = unusable(document);
        if (reason != null) {
            throw new ConfigException(List.of(new ConfigProblem(origin.source(), 0, "", reason)));
        }
    }

    private static void reject(List<Rejection> rejections, Origin origin, List<ConfigProblem> problems, Piece<?> good) {
        for (ConfigProblem problem : problems) {
            String where = problem.line() > 0 ? "line " + problem.line() + ": " : "";
            String key = problem.path() == null || problem.path().isEmpty() ? "" : problem.path() + ": ";
            rejections.add(new Rejection(origin.source(), where + key + problem.message()
                    + (good != null ? " (keeping its previous version)" : " (not applied)")));
        }
    }

    private void readCatalog(ConsulState state, List<Piece<UpstreamConfig>> upstreams,
                             List<Piece<RouteConfig>> routes, List<Rejection> rejections) {
        state.serviceTags().forEach((service, tags) -> {
            String source = "consul-catalog:" + service;
            Origin origin = new Origin(source, null, 0);
            CatalogTags read = CatalogTags.read(service, tags);
            read.problems().forEach(p -> rejections.add(new Rejection(source, p)));
            List<String> targets = state.instances().getOrDefault(service, List.of()).stream()
                    .filter(ConsulState.Instance::accepted).map(ConsulState.Instance::target).sorted().toList();
            try {
                upstreams.add(new Piece<>(origin, read.upstream(),
                        ConfigDocuments.upstream(source, read.upstreamDocument(targets))));
            } catch (ConfigException e) {
                e.problems().forEach(p -> rejections.add(new Rejection(source, p.path() + ": " + p.message())));
                return;
            }
            read.routes().forEach((id, text) -> {
                try {
                    routes.add(new Piece<>(origin, id, ConfigDocuments.route(source, id, text)));
                } catch (ConfigException e) {
                    e.problems().forEach(p -> rejections.add(new Rejection(source, p.path() + ": " + p.message())));
                }
            });
        });
    }

    /** Validates the whole, taking out the Consul documents it shows to be wrong until it holds. */
    private ProxyConfig settle(ProxyConfig base, List<Piece<RouteConfig>> routes,
                               Map<String, Piece<UpstreamConfig>> upstreams, List<Rejection> rejections)
            throws ConfigException {
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            ProxyConfig config = build(base, routes, upstreams);
            List<ConfigProblem> problems = ConfigValidator.validate(config);
            if (problems.isEmpty()) {
                return config;
            }
            boolean removed = false;
            List<ConfigProblem> unexplained = new ArrayList<>();
            for (ConfigProblem problem : problems) {
                Matcher route = ROUTE_PATH.matcher(problem.path());
                Matcher upstream = UPSTREAM_PATH.matcher(problem.path());
                if (route.matches() && Integer.parseInt(route.group(1)) < routes.size()) {
                    Piece<RouteConfig> piece = routes.get(Integer.parseInt(route.group(1)));
                    if (piece.origin().fromConsul() && !removed) {
                        rejections.add(new Rejection(piece.origin().source(),
                                "route" + route.group(2) + ": " + problem.message() + replaceWithGood(piece, routes)));
                        removed = true;
                        continue;
                    }
                } else if (upstream.matches() && upstreams.containsKey(upstream.group(1))) {
                    Piece<UpstreamConfig> piece = upstreams.get(upstream.group(1));
                    if (piece.origin().fromConsul() && !removed) {
                        rejections.add(new Rejection(piece.origin().source(), "upstream" + upstream.group(2) + ": "
                                + problem.message() + replaceWithGood(piece, upstreams)));
                        removed = true;
                        continue;
                    }
                }
                unexplained.add(problem);
            }
            if (!removed) {
                throw new ConfigException(unexplained);
            }
        }
        throw new ConfigException(List.of(new ConfigProblem(null, 0, "", "too many documents were rejected")));
    }

    /** Puts the route's last good version in its place (once), or takes it out. */
    private String replaceWithGood(Piece<RouteConfig> piece, List<Piece<RouteConfig>> routes) {
        int at = routes.indexOf(piece);
        Piece<RouteConfig> good = piece.origin().kvKey() == null ? null : goodRoutes.get(piece.origin().kvKey());
        if (good != null && good != piece) {
            routes.set(at, good);
            return " (keeping its previous version)";
        }
        routes.remove(at);
        return " (not applied)";
    }

    private String replaceWithGood(Piece<UpstreamConfig> piece, Map<String, Piece<UpstreamConfig>> upstreams) {
        Piece<UpstreamConfig> good = piece.origin().kvKey() == null ? null : goodUpstreams.get(piece.origin().kvKey());
        if (good != null && good != piece) {
            upstreams.put(piece.name(), good);
            return " (keeping its previous version)";
        }
        upstreams.remove(piece.name());
        return " (not applied)";
    }

    private void remember(List<Piece<RouteConfig>> routes, Map<String, Piece<UpstreamConfig>> upstreams) {
        routes.stream().filter(p -> p.origin().kvKey() != null).forEach(p -> goodRoutes.put(p.origin().kvKey(), p));
        upstreams.values().stream().filter(p -> p.origin().kvKey() != null)
                .forEach(p -> goodUpstreams.put(p.origin().kvKey(), p));
    }

    private static ProxyConfig build(ProxyConfig base, List<Piece<RouteConfig>> routes,
                                     Map<String, Piece<UpstreamConfig>> upstreams) {
        Map<String, UpstreamConfig> joinedUpstreams = new LinkedHashMap<>();
        upstreams.forEach((name, piece) -> joinedUpstreams.put(name, piece.value()));
        return new ProxyConfig(base.listen(), base.admin(), base.accessLog(), joinedUpstreams,
                routes.stream().map(Piece::value).toList(), base.drainTimeout(), base.extensions());
    }
}
