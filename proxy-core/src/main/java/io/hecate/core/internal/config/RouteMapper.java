package io.hecate.core.internal.config;

import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.HeaderRules;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RetryConfig;
import io.hecate.core.config.RedirectAction;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.SecurityHeadersConfig;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the {@code routes} list of a YAML document onto {@link RouteConfig}s. */
final class RouteMapper {

    private static final List<String> ACTIONS = List.of("proxy", "respond", "redirect");
    private static final List<String> ROUTE_KEYS =
            List.of("id", "match", "proxy", "respond", "redirect", "filters", "security_headers");
    private static final List<String> SECURITY_HEADER_KEYS = List.of("hsts", "content_type_options",
            "frame_options", "referrer_policy", "content_security_policy", "permissions_policy", "remove", "override");
    private static final List<String> MATCH_KEYS =
            List.of("host", "path", "path_prefix", "path_regex", "methods", "headers", "scheme");
    private static final List<String> PROXY_KEYS = List.of("upstream", "strip_prefix", "rewrite", "host",
            "timeout", "request_headers", "response_headers", "retry", "upgrade_idle_timeout", "max_request_body");
    private static final List<String> RETRY_KEYS =
            List.of("attempts", "per_try_timeout", "on_timeout", "on_status", "budget", "max_body");
    private static final List<String> REWRITE_KEYS = List.of("pattern", "replacement");
    private static final List<String> HEADER_RULE_KEYS = List.of("add", "set", "remove");
    private static final List<String> RESPOND_KEYS = List.of("status", "body", "headers");
    private static final List<String> REDIRECT_KEYS = List.of("status", "location");
    private static final int DEFAULT_RESPOND_STATUS = 200;

    private final YamlNodeReader reader;

    RouteMapper(YamlNodeReader reader) {
        this.reader = reader;
    }

    /**
     * Every item becomes a route, even a broken one, so that the index of each route in the model
     * is its index in the file and problems found later name the right {@code routes[i]}.
     */
    List<RouteConfig> routes(Node node) {
        List<Node> items = reader.sequence(node, "routes");
        List<RouteConfig> routes = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            routes.add(route(items.get(i), YamlNodeReader.index("routes", i), i));
        }
        return routes;
    }

    /** One route on its own, e.g. a document in Consul KV; without an {@code id} it is named {@code fallbackId}. */
    RouteConfig route(Node node, String path, String fallbackId) {
        RouteConfig route = route(node, path, 0);
        return route.id().equals("route-0") && fallbackId != null
                ? new RouteConfig(fallbackId, route.match(), route.action(), route.filters(), route.securityHeaders())
                : route;
    }

    private RouteConfig route(Node node, String path, int index) {
        Map<String, Node> route = reader.mapping(node, path, ROUTE_KEYS);
        String id = reader.string(route.get("id"), path + ".id");
        Node match = route.get("match");
        return new RouteConfig(
                id == null ? "route-" + index : id,
                YamlNodeReader.isNull(match) ? MatchConfig.any() : match(match, path + ".match"),
                action(route, path),
                filters(route.get("filters"), path + ".filters"),
                securityHeaders(route.get("security_headers"), path + ".security_headers"));
    }

    /** Absent or empty: none. {@code recommended}: {@link SecurityHeadersConfig#RECOMMENDED}. */
    private SecurityHeadersConfig securityHeaders(Node node, String path) {
        if (YamlNodeReader.isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode) {
            String text = reader.string(node, path);
            if (text != null && text.trim().equals("recommended")) {
                return SecurityHeadersConfig.RECOMMENDED;
            }
            reader.problem(path, node, "expected a mapping or recommended, got \"" + text + "\"");
            return null;
        }
        Map<String, Node> headers = reader.mapping(node, path, SECURITY_HEADER_KEYS);
        return new SecurityHeadersConfig(
                reader.string(headers.get("hsts"), path + ".hsts"),
                reader.string(headers.get("content_type_options"), path + ".content_type_options"),
                reader.string(headers.get("frame_options"), path + ".frame_options"),
                reader.string(headers.get("referrer_policy"), path + ".referrer_policy"),
                reader.string(headers.get("content_security_policy"), path + ".content_security_policy"),
                reader.string(headers.get("permissions_policy"), path + ".permissions_policy"),
                reader.stringList(headers.get("remove"), path + ".remove"),
                reader.bool(headers.get("override"), path + ".override", true));
    }

    /** Absent when the route names no action: the validator reports that for file and code alike. */
    private RouteAction action(Map<String, Node> route, String path) {
        List<String> present = ACTIONS.stream().filter(route::containsKey).toList();
        if (present.isEmpty()) {
            return null;
        }
        for (String extra : present.subList(1, present.size())) {
            reader.problem(YamlNodeReader.child(path, extra), route.get(extra),
                    "a route takes only one of proxy, respond, redirect (this one also has " + present.get(0) + ")");
        }
        String kind = present.get(0);
        Node node = route.get(kind);
        String actionPath = YamlNodeReader.child(path, kind);
        return switch (kind) {
            case "proxy" -> proxy(node, actionPath);
            case "respond" -> respond(node, actionPath);
            default -> redirect(node, actionPath);
        };
    }

    private MatchConfig match(Node node, String path) {
        Map<String, Node> match = reader.mapping(node, path, MATCH_KEYS);
        return new MatchConfig(
                reader.string(match.get("host"), path + ".host"),
                reader.string(match.get("path"), path + ".path"),
                reader.string(match.get("path_prefix"), path + ".path_prefix"),
                reader.string(match.get("path_regex"), path + ".path_regex"),
                reader.stringList(match.get("methods"), path + ".methods"),
                reader.stringMap(match.get("headers"), path + ".headers"),
                reader.string(match.get("scheme"), path + ".scheme"));
    }

    private ProxyAction proxy(Node node, String path) {
        Map<String, Node> proxy = reader.mapping(node, path, PROXY_KEYS);
        return new ProxyAction(
                reader.string(proxy.get("upstream"), path + ".upstream"),
                reader.string(proxy.get("strip_prefix"), path + ".strip_prefix"),
                rewrite(proxy.get("rewrite"), path + ".rewrite"),
                reader.string(proxy.get("host"), path + ".host"),
                reader.duration(proxy.get("timeout"), path + ".timeout", ProxyAction.DEFAULT_TIMEOUT),
                headerRules(proxy.get("request_headers"), path + ".request_headers"),
                headerRules(proxy.get("response_headers"), path + ".response_headers"),
                retry(proxy.get("retry"), path + ".retry"),
                reader.duration(proxy.get("upgrade_idle_timeout"), path + ".upgrade_idle_timeout",
                        ProxyAction.DEFAULT_UPGRADE_IDLE_TIMEOUT),
                reader.largeSize(proxy.get("max_request_body"), path + ".max_request_body", ProxyAction.NO_BODY_LIMIT));
    }

    private RetryConfig retry(Node node, String path) {
        if (YamlNodeReader.isNull(node)) {
            return RetryConfig.DEFAULTS;
        }
        Map<String, Node> retry = reader.mapping(node, path, RETRY_KEYS);
        return new RetryConfig(
                reader.integer(retry.get("attempts"), path + ".attempts", RetryConfig.DEFAULT_ATTEMPTS),
                reader.duration(retry.get("per_try_timeout"), path + ".per_try_timeout", null),
                reader.bool(retry.get("on_timeout"), path + ".on_timeout", false),
                retry.containsKey("on_status") ? reader.integerList(retry.get("on_status"), path + ".on_status") : List.of(),
                reader.decimal(retry.get("budget"), path + ".budget", RetryConfig.DEFAULT_BUDGET),
                reader.size(retry.get("max_body"), path + ".max_body", RetryConfig.DEFAULT_MAX_BODY));
    }

    private ProxyAction.PathRewrite rewrite(Node node, String path) {
        if (YamlNodeReader.isNull(node)) {
            return null;
        }
        Map<String, Node> rewrite = reader.mapping(node, path, REWRITE_KEYS);
        return new ProxyAction.PathRewrite(
                reader.string(rewrite.get("pattern"), path + ".pattern"),
                reader.string(rewrite.get("replacement"), path + ".replacement"));
    }

    private HeaderRules headerRules(Node node, String path) {
        Map<String, Node> rules = reader.mapping(node, path, HEADER_RULE_KEYS);
        return new HeaderRules(
                reader.stringMap(rules.get("add"), path + ".add"),
                reader.stringMap(rules.get("set"), path + ".set"),
                reader.stringList(rules.get("remove"), path + ".remove"));
    }

    private RespondAction respond(Node node, String path) {
        Map<String, Node> respond = reader.mapping(node, path, RESPOND_KEYS);
        String body = reader.string(respond.get("body"), path + ".body");
        return new RespondAction(
                reader.integer(respond.get("status"), path + ".status", DEFAULT_RESPOND_STATUS),
                body == null ? "" : body,
                reader.stringMap(respond.get("headers"), path + ".headers"));
    }

    private RedirectAction redirect(Node node, String path) {
        Map<String, Node> redirect = reader.mapping(node, path, REDIRECT_KEYS);
        return new RedirectAction(
                reader.integer(redirect.get("status"), path + ".status", RedirectAction.DEFAULT_STATUS),
                reader.string(redirect.get("location"), path + ".location"));
    }

    /** Each filter's {@code type} picks its factory; every other key is passed on as a setting. */
    private List<FilterConfig> filters(Node node, String path) {
        List<Node> items = reader.sequence(node, path);
        List<FilterConfig> filters = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String filterPath = YamlNodeReader.index(path, i);
            Map<String, Node> entries = reader.mapping(items.get(i), filterPath);
            Map<String, Object> settings = new LinkedHashMap<>();
            entries.forEach((key, value) -> {
                if (!key.equals("type")) {
                    Object setting = reader.plain(value, YamlNodeReader.child(filterPath, key));
                    if (setting != null) {
                        settings.put(key, setting);
                    }
                }
            });
            filters.add(new FilterConfig(reader.string(entries.get("type"), filterPath + ".type"), settings));
        }
        return filters;
    }
}
