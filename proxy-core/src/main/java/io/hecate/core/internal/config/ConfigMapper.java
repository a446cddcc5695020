package io.hecate.core.internal.config;

import io.hecate.core.config.AccessLogConfig;
import io.hecate.core.config.AdminConfig;
import io.hecate.core.config.BalanceConfig;
import io.hecate.core.config.CircuitBreakerConfig;
import io.hecate.core.config.HealthCheckConfig;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.ListenConfig;
import io.hecate.core.config.OutlierDetectionConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.config.UpstreamProtocol;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a composed YAML document onto {@link ProxyConfig}, filling in the documented default for
 * every key that is absent. Problems of form (unknown keys, wrong types) go to the reader; problems
 * of meaning are left to {@link io.hecate.core.config.ConfigValidator}.
 */
public final class ConfigMapper {

    private static final List<String> TOP_KEYS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("listen", "admin", "access_log", "drain_timeout", "upstreams", "routes"),
            ProxyConfig.EXTENSION_SECTIONS.stream()).toList();
    private static final List<String> LISTEN_KEYS = List.of("http", "header_timeout", "idle_timeout",
            "max_request_line", "max_header_size", "trusted_proxies", "max_concurrent_streams", "max_connections",
            "max_connections_per_client", "body_timeout", "https");
    private static final List<String> ADMIN_KEYS = List.of("listen");
    private static final List<String> ACCESS_LOG_KEYS = List.of("output", "queue_size");
    private static final List<String> UPSTREAM_KEYS = List.of("targets", "connect_timeout", "idle_timeout",
            "max_lifetime", "max_idle_per_loop", "balance", "health_check", "outlier_detection", "circuit_breaker",
            "max_concurrent_requests", "protocol");
    private static final List<String> CIRCUIT_BREAKER_KEYS = List.of("failure_rate", "slow_call_rate",
            "slow_call_duration", "window", "minimum_calls", "open_for", "half_open_calls");
    private static final List<String> BALANCE_KEYS = List.of("policy", "hash_on");
    private static final List<String> HASH_ON_KEYS = List.of("header", "cookie", "client_address");
    private static final List<String> HEALTH_CHECK_KEYS = List.of("path", "interval", "timeout",
            "expected_statuses", "healthy_threshold", "unhealthy_threshold", "start_healthy");
    private static final List<String> OUTLIER_KEYS = List.of("consecutive_failures", "count_5xx",
            "base_ejection_time", "max_ejection_time", "max_ejection_percent");
    private static final List<String> POLICIES =
            Arrays.stream(BalanceConfig.Policy.values()).map(BalanceConfig.Policy::configName).toList();
    private static final List<String> TARGET_KEYS = List.of("address", "weight");

    private final YamlNodeReader reader;

    public ConfigMapper(YamlNodeReader reader) {
        this.reader = reader;
    }

    /** @param root the document's root node, or {@code null} for an empty document */
    public ProxyConfig map(Node root) {
        Map<String, Node> top = reader.mapping(root, "", TOP_KEYS);
        return new ProxyConfig(
                listen(top.get("listen")),
                admin(top.get("admin")),
                accessLog(top.get("access_log")),
                upstreams(top.get("upstreams")),
                new RouteMapper(reader).routes(top.get("routes")),
                reader.duration(top.get("drain_timeout"), "drain_timeout", ProxyConfig.DEFAULT_DRAIN_TIMEOUT),
                extensions(top));
    }

    /** A route standing alone (a document of its own); problems are reported under {@code path}. */
    public RouteConfig route(Node node, String path, String fallbackId) {
        return new RouteMapper(reader).route(node, path, fallbackId);
    }

    /** An upstream standing alone (a document of its own); problems are reported under {@code path}. */
    public UpstreamConfig upstreamDocument(Node node, String path) {
        return upstream(node, path);
    }

    /** Module sections, passed through as plain values for the module to read. */
    private static Map<String, Object> extensions(Map<String, Node> top) {
        Map<String, Object> sections = new LinkedHashMap<>();
        for (String section : ProxyConfig.EXTENSION_SECTIONS) {
            if (top.containsKey(section)) {
                sections.put(section, plain(top.get(section)));
            }
        }
        return sections;
    }

    private static Object plain(Node node) {
        if (node == null || YamlNodeReader.isNull(node)) {
            return null;
        }
        if (node instanceof org.snakeyaml.engine.v2.nodes.MappingNode mapping) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (org.snakeyaml.engine.v2.nodes.NodeTuple tuple : mapping.getValue()) {
                Object key = plain(tuple.getKeyNode());
                map.put(String.valueOf(key), plain(tuple.getValueNode()));
            }
            return map;
        }
        if (node instanceof org.snakeyaml.engine.v2.nodes.SequenceNode sequence) {
            List<Object> list = new java.util.ArrayList<>();
            for (Node item : sequence.getValue()) {
                list.add(plain(item));
            }
            return list;
        }
        return ((org.snakeyaml.engine.v2.nodes.ScalarNode) node).getValue();
    }

    private ListenConfig listen(Node node) {
        Map<String, Node> listen = reader.mapping(node, "listen", LISTEN_KEYS);
        return new ListenConfig(
                address(listen.get("http"), "listen.http", ListenConfig.DEFAULT_HTTP),
                reader.duration(listen.get("header_timeout"), "listen.header_timeout",
                        ListenConfig.DEFAULT_HEADER_TIMEOUT),
                reader.duration(listen.get("idle_timeout"), "listen.idle_timeout",
                        ListenConfig.DEFAULT_IDLE_TIMEOUT),
                reader.size(listen.get("max_request_line"), "listen.max_request_line",
                        ListenConfig.DEFAULT_MAX_REQUEST_LINE),
                reader.size(listen.get("max_header_size"), "listen.max_header_size",
                        ListenConfig.DEFAULT_MAX_HEADER_BYTES),
                reader.stringList(listen.get("trusted_proxies"), "listen.trusted_proxies"),
                reader.integer(listen.get("max_concurrent_streams"), "listen.max_concurrent_streams",
                        ListenConfig.DEFAULT_MAX_CONCURRENT_STREAMS),
                reader.integer(listen.get("max_connections"), "listen.max_connections", ListenConfig.NO_LIMIT),
                reader.integer(listen.get("max_connections_per_client"), "listen.max_connections_per_client",
                        ListenConfig.NO_LIMIT),
                reader.duration(listen.get("body_timeout"), "listen.body_timeout", ListenConfig.DEFAULT_BODY_TIMEOUT),
                address(listen.get("https"), "listen.https", null));
    }

    /** An absent {@code admin.listen} keeps the default; an empty one or {@code off} disables the API. */
    private AdminConfig admin(Node node) {
        Map<String, Node> admin = reader.mapping(node, "admin", ADMIN_KEYS);
        if (!admin.containsKey("listen")) {
            return AdminConfig.defaults();
        }
        Node listen = admin.get("listen");
        if (YamlNodeReader.isNull(listen)) {
            return AdminConfig.disabled();
        }
        String text = reader.string(listen, "admin.listen");
        if (text != null && text.trim().equals("off")) {
            return AdminConfig.disabled();
        }
        return new AdminConfig(address(text, listen, "admin.listen", AdminConfig.DEFAULT_LISTEN));
    }

    private ListenAddress address(Node node, String path, ListenAddress fallback) {
        return address(reader.string(node, path), node, path, fallback);
    }

    private ListenAddress address(String text, Node node, String path, ListenAddress fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return ListenAddress.parse(text.trim());
        } catch (IllegalArgumentException e) {
            reader.problem(path, node, e.getMessage());
            return fallback;
        }
    }

    private AccessLogConfig accessLog(Node node) {
        Map<String, Node> accessLog = reader.mapping(node, "access_log", ACCESS_LOG_KEYS);
        String output = reader.string(accessLog.get("output"), "access_log.output");
        return new AccessLogConfig(
                output == null ? AccessLogConfig.STDOUT : output,
                reader.integer(accessLog.get("queue_size"), "access_log.queue_size",
                        AccessLogConfig.DEFAULT_QUEUE_SIZE));
    }

    private Map<String, UpstreamConfig> upstreams(Node node) {
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        reader.mapping(node, "upstreams").forEach((name, value) ->
                upstreams.put(name, upstream(value, YamlNodeReader.child("upstreams", name))));
        return upstreams;
    }

    private UpstreamConfig upstream(Node node, String path) {
        Map<String, Node> upstream = reader.mapping(node, path, UPSTREAM_KEYS);
        String targetsPath = path + ".targets";
        if (upstream.get("targets") == null) {
            reader.problem(targetsPath, node, "is required: a list of host:port"
                    + " (an empty list [] is allowed: the upstream's routes answer 503 until it has targets)");
        }
        List<Node> items = reader.sequence(upstream.get("targets"), targetsPath);
        List<TargetConfig> targets = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            targets.add(target(items.get(i), YamlNodeReader.index(targetsPath, i)));
        }
        return new UpstreamConfig(targets,
                reader.duration(upstream.get("connect_timeout"), path + ".connect_timeout",
                        UpstreamConfig.DEFAULT_CONNECT_TIMEOUT),
                reader.duration(upstream.get("idle_timeout"), path + ".idle_timeout",
                        UpstreamConfig.DEFAULT_IDLE_TIMEOUT),
                reader.duration(upstream.get("max_lifetime"), path + ".max_lifetime",
                        UpstreamConfig.DEFAULT_MAX_LIFETIME),
                reader.integer(upstream.get("max_idle_per_loop"), path + ".max_idle_per_loop",
                        UpstreamConfig.DEFAULT_MAX_IDLE_PER_LOOP),
                balance(upstream.get("balance"), path + ".balance"),
                healthCheck(upstream.get("health_check"), path + ".health_check"),
                outlierDetection(upstream.get("outlier_detection"), path + ".outlier_detection"),
                circuitBreaker(upstream.get("circuit_breaker"), path + ".circuit_breaker"),
                reader.integer(upstream.get("max_concurrent_requests"), path + ".max_concurrent_requests", 0),
                protocol(upstream.get("protocol"), path + ".protocol"));
    }

    /** Absent, empty or {@code off}: no circuit breaker. {@code {}} turns one on with every default. */
    private CircuitBreakerConfig circuitBreaker(Node node, String path) {
        if (YamlNodeReader.isNull(node)) {
            return null;
        }
        if (node instanceof ScalarNode) {
            String text = reader.string(node, path);
            if (text != null && text.trim().equals("off")) {
                return null;
            }
            reader.problem(path, node, "expected a mapping or off, got \"" + text + "\"");
            return null;
        }
        Map<String, Node> breaker = reader.mapping(node, path, CIRCUIT_BREAKER_KEYS);
        return new CircuitBreakerConfig(
                reader.integer(breaker.get("failure_rate"), path + ".failure_rate",
                        CircuitBreakerConfig.DEFAULT_FAILURE_RATE),
                reader.integer(breaker.get("slow_call_rate"), path + ".slow_call_rate",
                        CircuitBreakerConfig.DEFAULT_SLOW_CALL_RATE),
                reader.duration(breaker.get("slow_call_duration"), path + ".slow_call_duration",
                        CircuitBreakerConfig.DEFAULT_SLOW_CALL_DURATION),
                reader.integer(breaker.get("window"), path + ".window", CircuitBreakerConfig.DEFAULT_WINDOW),
                reader.integer(breaker.get("minimum_calls"), path + ".minimum_calls",
                        CircuitBreakerConfig.DEFAULT_MINIMUM_CALLS),
                reader.duration(breaker.get("open_for"), path + ".open_for", CircuitBreakerConfig.DEFAULT_OPEN_FOR),
                reader.integer(breaker.get("half_open_calls"), path + ".half_open_calls",
                        CircuitBreakerConfig.DEFAULT_HALF_OPEN_CALLS));
    }

    private BalanceConfig balance(Node node, String path) {
        Map<String, Node> balance = reader.mapping(node, path, BALANCE_KEYS);
        BalanceConfig.Policy policy = BalanceConfig.Policy.ROUND_ROBIN;
        String name = reader.string(balance.get("policy"), path + ".policy");
        if (name != null) {
            policy = BalanceConfig.Policy.byConfigName(name.trim());
            if (policy == null) {
                String hint = Suggestions.closest(name.trim(), POLICIES)
                        .map(suggestion -> "; did you mean \"" + suggestion + "\"?")
                        .orElse("");
                reader.problem(path + ".policy", balance.get("policy"), "unknown policy \"" + name
                        + "\" (expected one of: " + String.join(", ", POLICIES) + hint + ")");
                policy = BalanceConfig.Policy.ROUND_ROBIN;
            }
        }
        return new BalanceConfig(policy, hashOn(balance.get("hash_on"), path + ".hash_on"));
    }

    /** {@code { header: X-User }}, {@code { cookie: session }} or {@code { client_address: true }}. */
    private BalanceConfig.HashOn hashOn(Node node, String path) {
        if (YamlNodeReader.isNull(node)) {
            return null;
        }
        Map<String, Node> hashOn = reader.mapping(node, path, HASH_ON_KEYS);
        return new BalanceConfig.HashOn(
                reader.string(hashOn.get("header"), path + ".header"),
                reader.string(hashOn.get("cookie"), path + ".cookie"),
                reader.bool(hashOn.get("client_address"), path + ".client_address", false));
    }

    /** Absent or empty: no active checks. {@code {}} turns them on with every default. */
    private HealthCheckConfig healthCheck(Node node, String path) {
        if (YamlNodeReader.isNull(node)) {
            return null;
        }
        Map<String, Node> check = reader.mapping(node, path, HEALTH_CHECK_KEYS);
        String checkPath = reader.string(check.get("path"), path + ".path");
        String statusesPath = path + ".expected_statuses";
        List<Node> statusNodes = reader.sequence(check.get("expected_statuses"), statusesPath);
        List<Integer> statuses = new ArrayList<>(statusNodes.size());
        for (int i = 0; i < statusNodes.size(); i++) {
            statuses.add(reader.integer(statusNodes.get(i), YamlNodeReader.index(statusesPath, i), 200));
        }
        return new HealthCheckConfig(
                checkPath == null ? HealthCheckConfig.DEFAULT_PATH : checkPath,
                reader.duration(check.get("interval"), path + ".interval", HealthCheckConfig.DEFAULT_INTERVAL),
                reader.duration(check.get("timeout"), path + ".timeout", HealthCheckConfig.DEFAULT_TIMEOUT),
                statuses,
                reader.integer(check.get("healthy_threshold"), path + ".healthy_threshold",
                        HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD),
                reader.integer(check.get("unhealthy_threshold"), path + ".unhealthy_threshold",
                        HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD),
                reader.bool(check.get("start_healthy"), path + ".start_healthy",
                        HealthCheckConfig.DEFAULT_START_HEALTHY));
    }

    /** Absent or empty: the defaults. {@code off} turns outlier detection off. */
    private OutlierDetectionConfig outlierDetection(Node node, String path) {
        if (node instanceof ScalarNode && !YamlNodeReader.isNull(node)) {
            String text = reader.string(node, path);
            if (text != null && text.trim().equals("off")) {
                return OutlierDetectionConfig.DISABLED;
            }
            reader.problem(path, node, "expected a mapping or off, got \"" + text + "\"");
            return OutlierDetectionConfig.DEFAULT;
        }
        Map<String, Node> outliers = reader.mapping(node, path, OUTLIER_KEYS);
        return new OutlierDetectionConfig(true,
                reader.integer(outliers.get("consecutive_failures"), path + ".consecutive_failures",
                        OutlierDetectionConfig.DEFAULT_CONSECUTIVE_FAILURES),
                reader.bool(outliers.get("count_5xx"), path + ".count_5xx", OutlierDetectionConfig.DEFAULT_COUNT_5XX),
                reader.duration(outliers.get("base_ejection_time"), path + ".base_ejection_time",
                        OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME),
                reader.duration(outliers.get("max_ejection_time"), path + ".max_ejection_time",
                        OutlierDetectionConfig.DEFAULT_MAX_EJECTION_TIME),
                reader.integer(outliers.get("max_ejection_percent"), path + ".max_ejection_percent",
                        OutlierDetectionConfig.DEFAULT_MAX_EJECTION_PERCENT));
    }

    private UpstreamProtocol protocol(Node node, String path) {
        String text = reader.string(node, path);
        if (text == null) {
            return UpstreamConfig.DEFAULT_PROTOCOL;
        }
        UpstreamProtocol protocol = UpstreamProtocol.parse(text);
        if (protocol == null) {
            reader.problem(path, node, "expected http1 or h2c, got \"" + text + "\"");
            return UpstreamConfig.DEFAULT_PROTOCOL;
        }
        return protocol;
    }

    /** A target is {@code "host:port"} or {@code {address: "host:port", weight: 3}}. */
    private TargetConfig target(Node node, String path) {
        if (!(node instanceof MappingNode)) {
            return new TargetConfig(reader.string(node, path + ".address"), TargetConfig.DEFAULT_WEIGHT);
        }
        Map<String, Node> target = reader.mapping(node, path, TARGET_KEYS);
        return new TargetConfig(
                reader.string(target.get("address"), path + ".address"),
                reader.integer(target.get("weight"), path + ".weight", TargetConfig.DEFAULT_WEIGHT));
    }
}
