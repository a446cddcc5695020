package io.hecate.core.config;

import io.hecate.core.internal.config.HttpSyntax;
import io.hecate.core.internal.config.NetworkSyntax;
import io.hecate.core.internal.config.RegexChecks;
import io.hecate.core.internal.config.Suggestions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks the meaning of a configuration, however it was built: everything a running proxy would
 * otherwise discover only when the first request arrives (a route naming a missing upstream, a
 * regex that does not compile, a port out of range). Problems name the key path in the YAML
 * spelling, so the file loader can point at the offending line.
 */
public final class ConfigValidator {

    private static final int MIN_REQUEST_LINE = 256;
    private static final int MIN_HEADER_BYTES = 1024;
    private static final int MAX_WEIGHT = 1000;

    private static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);
    private static final List<String> PLACEHOLDERS = List.of("host", "path", "query", "uri");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final Set<String> ANY_ADDRESS = Set.of("0.0.0.0", "::", "0:0:0:0:0:0:0:0");

    private final List<ConfigProblem> problems = new ArrayList<>();

    private ConfigValidator() {
    }

    /** Every problem found, in no particular order; empty when the configuration is usable. */
    public static List<ConfigProblem> validate(ProxyConfig config) {
        ConfigValidator validator = new ConfigValidator();
        if (config == null) {
            validator.problem("", "no configuration given");
        } else {
            validator.check(config);
        }
        return List.copyOf(validator.problems);
    }

    private void check(ProxyConfig config) {
        checkListen(config.listen());
        checkAdmin(config.admin(), config.listen());
        checkAccessLog(config.accessLog());
        positive("drain_timeout", config.drainTimeout());
        config.upstreams().forEach(this::checkUpstream);
        checkRoutes(config.routes(), config.upstreams());
    }

    private void checkListen(ListenConfig listen) {
        if (listen == null) {
            problem("listen", "is required");
            return;
        }
        listenAddress("listen.http", listen.http());
        if (listen.https() != null) {
            listenAddress("listen.https", listen.https());
            if (listen.http() != null && clash(listen.https(), listen.http())) {
                problem("listen.https", "must not use the same address as listen.http (" + listen.http() + ")");
            }
        }
        positive("listen.header_timeout", listen.headerTimeout());
        positive("listen.idle_timeout", listen.idleTimeout());
        if (listen.maxRequestLine() < MIN_REQUEST_LINE) {
            problem("listen.max_request_line",
                    "must be at least " + MIN_REQUEST_LINE + " bytes, got " + listen.maxRequestLine());
        }
        if (listen.maxHeaderBytes() < MIN_HEADER_BYTES) {
            problem("listen.max_header_size",
                    "must be at least " + MIN_HEADER_BYTES + " bytes, got " + listen.maxHeaderBytes());
        }
        positive("listen.body_timeout", listen.bodyTimeout());
        if (listen.maxConnections() < 0) {
            problem("listen.max_connections", "must be 0 (no limit) or more, got " + listen.maxConnections());
        }
        if (listen.maxConnectionsPerClient() < 0) {
            problem("listen.max_connections_per_client", "must be 0 (no limit) or more, got "
                    + listen.maxConnectionsPerClient());
        }
        if (listen.maxConcurrentStreams() < 1) {
            problem("listen.max_concurrent_streams", "must be at least 1, got " + listen.maxConcurrentStreams());
        }
        List<String> trusted = listen.trustedProxies();
        for (int i = 0; i < trusted.size(); i++) {
            if (!NetworkSyntax.isCidr(trusted.get(i))) {
                problem("listen.trusted_proxies[" + i + "]", quote(trusted.get(i))
                        + " is not an IP address or a CIDR like 10.0.0.0/8");
            }
        }
    }

    private void checkAdmin(AdminConfig admin, ListenConfig listen) {
        if (admin == null) {
            problem("admin", "is required (AdminConfig.disabled() runs without the admin API)");
            return;
        }
        if (!admin.enabled()) {
            return;
        }
        listenAddress("admin.listen", admin.listen());
        ListenAddress http = listen == null ? null : listen.http();
        if (http != null && clash(admin.listen(), http)) {
            problem("admin.listen", "must not use the same address as listen.http (" + http + ")");
        }
        ListenAddress https = listen == null ? null : listen.https();
        if (https != null && clash(admin.listen(), https)) {
            problem("admin.listen", "must not use the same address as listen.https (" + https + ")");
        }
    }

    /** Port 0 picks a free port per socket, so two such listeners never collide. */
    private static boolean clash(ListenAddress a, ListenAddress b) {
        return a.port() != 0 && a.port() == b.port()
                && (a.host().equalsIgnoreCase(b.host()) || ANY_ADDRESS.contains(a.host())
                        || ANY_ADDRESS.contains(b.host()));
    }

    private void checkAccessLog(AccessLogConfig accessLog) {
        if (accessLog == null) {
            problem("access_log", "is required");
            return;
        }
        if (accessLog.output() == null || accessLog.output().isBlank()) {
            problem("access_log.output", "must be stdout, stderr, off or a file path");
        }
        if (accessLog.queueSize() < 1) {
            problem("access_log.queue_size", "must be at least 1, got " + accessLog.queueSize());
        }
    }

    private void checkUpstream(String name, UpstreamConfig upstream) {
        if (name == null || name.isBlank()) {
            problem("upstreams", "upstream names must not be empty");
            return;
        }
        String path = "upstreams." + name;
        if (upstream == null) {
            problem(path, "is empty: an upstream needs targets");
            return;
        }
        for (int i = 0; i < upstream.targets().size(); i++) {
            TargetConfig target = upstream.targets().get(i);
            String targetPath = path + ".targets[" + i + "]";
            if (target.address() == null) {
                problem(targetPath + ".address", "is required");
            } else {
                NetworkSyntax.hostPortProblem(target.address())
                        .ifPresent(message -> problem(targetPath + ".address", message));
            }
            if (target.weight() < 1 || target.weight() > MAX_WEIGHT) {
                problem(targetPath + ".weight", "must be 1.." + MAX_WEIGHT + ", got " + target.weight());
            }
        }
        positive(path + ".connect_timeout", upstream.connectTimeout());
        positive(path + ".idle_timeout", upstream.idleTimeout());
        positive(path + ".max_lifetime", upstream.maxLifetime());
        if (upstream.maxIdlePerLoop() < 0) {
            problem(path + ".max_idle_per_loop", "must be 0 or more, got " + upstream.maxIdlePerLoop());
        }
        checkBalance(path + ".balance", upstream.balance());
        if (upstream.healthCheck() != null) {
            checkHealthCheck(path + ".health_check", upstream.healthCheck());
        }
        checkOutlierDetection(path + ".outlier_detection", upstream.outlierDetection());
        if (upstream.circuitBreaker() != null) {
            checkCircuitBreaker(path + ".circuit_breaker", upstream.circuitBreaker());
        }
        if (upstream.maxConcurrentRequests() < 0) {
            problem(path + ".max_concurrent_requests", "must be 0 (no limit) or more, got "
                    + upstream.maxConcurrentRequests());
        }
    }

    private void checkCircuitBreaker(String path, CircuitBreakerConfig breaker) {
        percentage(path + ".failure_rate", breaker.failureRate());
        percentage(path + ".slow_call_rate", breaker.slowCallRate());
        positive(path + ".slow_call_duration", breaker.slowCallDuration());
        atLeastOne(path + ".window", breaker.window());
        atLeastOne(path + ".minimum_calls", breaker.minimumCalls());
        if (breaker.minimumCalls() > breaker.window() && breaker.window() >= 1) {
            problem(path + ".minimum_calls", "must not exceed window (" + breaker.window() + "), got "
                    + breaker.minimumCalls());
        }
        positive(path + ".open_for", breaker.openFor());
        atLeastOne(path + ".half_open_calls", breaker.halfOpenCalls());
    }

    private void percentage(String path, int value) {
        if (value < 1 || value > 100) {
            problem(path, "must be a percentage from 1 to 100, got " + value);
        }
    }

    private void checkBalance(String path, BalanceConfig balance) {
        if (balance.policy() == null) {
            problem(path + ".policy", "is required");
            return;
        }
        BalanceConfig.HashOn hashOn = balance.hashOn();
        if (balance.policy() != BalanceConfig.Policy.CONSISTENT_HASH) {
            if (hashOn != null) {
                problem(path + ".hash_on", "is only used by policy consistent_hash (policy is "
                        + balance.policy().configName() + ")");
            }
            return;
        }
        if (hashOn == null) {
            problem(path + ".hash_on", "is required by policy consistent_hash: "
                    + "{ header: NAME }, { cookie: NAME } or { client_address: true }");
            return;
        }
        if (hashOn.keysSet() != 1) {
            problem(path + ".hash_on", "needs exactly one of header, cookie, client_address (got "
                    + hashOn.keysSet() + ")");
        }
        if (hashOn.header() != null && !HttpSyntax.isToken(hashOn.header())) {
            problem(path + ".hash_on.header", quote(hashOn.header()) + " is not a valid header name");
        }
        if (hashOn.cookie() != null && !HttpSyntax.isToken(hashOn.cookie())) {
            problem(path + ".hash_on.cookie", quote(hashOn.cookie()) + " is not a valid cookie name");
        }
    }

    private void checkHealthCheck(String path, HealthCheckConfig check) {
        if (check.path() == null || !check.path().startsWith("/")) {
            problem(path + ".path", "must start with \"/\", got " + (check.path() == null ? "nothing" : quote(check.path())));
        } else if (!HttpSyntax.isFieldValue(check.path()) || check.path().indexOf(' ') >= 0) {
            problem(path + ".path", "must not contain spaces or line breaks");
        }
        positive(path + ".interval", check.interval());
        positive(path + ".timeout", check.timeout());
        for (int i = 0; i < check.expectedStatuses().size(); i++) {
            Integer status = check.expectedStatuses().get(i);
            if (status == null || status < 100 || status > 599) {
                problem(path + ".expected_statuses[" + i + "]", "must be 100..599, got " + status);
            }
        }
        atLeastOne(path + ".healthy_threshold", check.healthyThreshold());
        atLeastOne(path + ".unhealthy_threshold", check.unhealthyThreshold());
    }

    private void checkOutlierDetection(String path, OutlierDetectionConfig outliers) {
        if (!outliers.enabled()) {
            return;
        }
        atLeastOne(path + ".consecutive_failures", outliers.consecutiveFailures());
        positive(path + ".base_ejection_time", outliers.baseEjectionTime());
        positive(path + ".max_ejection_time", outliers.maxEjectionTime());
        if (outliers.baseEjectionTime() != null && outliers.maxEjectionTime() != null
                && outliers.maxEjectionTime().compareTo(outliers.baseEjectionTime()) < 0) {
            problem(path + ".max_ejection_time", "must not be shorter than base_ejection_time ("
                    + Durations.format(outliers.baseEjectionTime()) + "), got "
                    + Durations.format(outliers.maxEjectionTime()));
        }
        if (outliers.maxEjectionPercent() < 0 || outliers.maxEjectionPercent() > 100) {
            problem(path + ".max_ejection_percent", "must be 0..100, got " + outliers.maxEjectionPercent());
        }
    }

    private void atLeastOne(String path, int value) {
        if (value < 1) {
            problem(path, "must be at least 1, got " + value);
        }
    }

    private void checkRoutes(List<RouteConfig> routes, Map<String, UpstreamConfig> upstreams) {
        Map<String, Integer> firstById = new HashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig route = routes.get(i);
            String path = "routes[" + i + "]";
            if (route.id() == null || route.id().isBlank()) {
                problem(path + ".id", "must not be empty");
            } else {
                Integer first = firstById.putIfAbsent(route.id(), i);
                if (first != null) {
                    problem(path + ".id", "duplicate route id " + quote(route.id()) + " (also routes[" + first + "])");
                }
            }
            if (route.match() == null) {
                problem(path + ".match", "is required (MatchConfig.any() matches every request)");
            } else {
                checkMatch(path + ".match", route.match());
            }
            RouteAction action = route.action();
            if (action instanceof ProxyAction proxy) {
                checkProxy(path + ".proxy", proxy, upstreams);
            } else if (action instanceof RespondAction respond) {
                checkRespond(path + ".respond", respond);
            } else if (action instanceof RedirectAction redirect) {
                checkRedirect(path + ".redirect", redirect);
            } else {
                problem(path, "needs one of proxy, respond, redirect");
            }
            for (int j = 0; j < route.filters().size(); j++) {
                FilterConfig filter = route.filters().get(j);
                if (filter.type() == null || filter.type().isBlank()) {
                    problem(path + ".filters[" + j + "].type", "must not be empty: it selects the filter factory");
                }
            }
            if (route.securityHeaders() != null) {
                checkSecurityHeaders(path + ".security_headers", route.securityHeaders());
            }
        }
    }

    private void checkSecurityHeaders(String path, SecurityHeadersConfig headers) {
        headerValue(path + ".hsts", headers.hsts());
        if (headers.hsts() != null && !headers.hsts().toLowerCase(Locale.ROOT).contains("max-age=")) {
            problem(path + ".hsts", "must contain max-age=SECONDS (RFC 6797), e.g. \"max-age=31536000; includeSubDomains\"");
        }
        headerValue(path + ".content_type_options", headers.contentTypeOptions());
        headerValue(path + ".frame_options", headers.frameOptions());
        if (headers.frameOptions() != null
                && !Set.of("deny", "sameorigin").contains(headers.frameOptions().trim().toLowerCase(Locale.ROOT))) {
            problem(path + ".frame_options", "must be DENY or SAMEORIGIN, got " + quote(headers.frameOptions()));
        }
        headerValue(path + ".referrer_policy", headers.referrerPolicy());
        headerValue(path + ".content_security_policy", headers.contentSecurityPolicy());
        headerValue(path + ".permissions_policy", headers.permissionsPolicy());
        for (int i = 0; i < headers.remove().size(); i++) {
            String name = headers.remove().get(i);
            if (!HttpSyntax.isToken(name)) {
                problem(path + ".remove[" + i + "]", quote(name) + " is not a valid header name");
            } else if (isFraming(name)) {
                problem(path + ".remove[" + i + "]", framingMessage(name));
            }
        }
    }

    private void headerValue(String path, String value) {
        if (value == null) {
            return;
        }
        if (value.isBlank()) {
            problem(path, "must not be empty (leave the key out to send no such header)");
        } else if (!HttpSyntax.isFieldValue(value)) {
            problem(path, "header values must not contain line breaks");
        }
    }

    private void checkMatch(String path, MatchConfig match) {
        if (match.scheme() != null && !match.scheme().equals("http") && !match.scheme().equals("https")) {
            problem(path + ".scheme", "expected http or https, got " + quote(match.scheme()));
        }
        if (match.host() != null) {
            matchHostProblem(match.host()).ifPresent(message -> problem(path + ".host", message));
        }
        List<String> pathForms = new ArrayList<>();
        if (match.path() != null) {
            pathForms.add("path");
            startsWithSlash(path + ".path", match.path());
        }
        if (match.pathPrefix() != null) {
            pathForms.add("path_prefix");
            startsWithSlash(path + ".path_prefix", match.pathPrefix());
        }
        if (match.pathRegex() != null) {
            pathForms.add("path_regex");
            RegexChecks.compileProblem(match.pathRegex())
                    .ifPresent(message -> problem(path + ".path_regex", message));
        }
        if (pathForms.size() > 1) {
            problem(path + "." + pathForms.get(1), "only one of path, path_prefix, path_regex may be set (also has "
                    + pathForms.get(0) + ")");
        }
        for (int i = 0; i < match.methods().size(); i++) {
            String method = match.methods().get(i);
            if (!HttpSyntax.isToken(method) || !method.equals(method.toUpperCase(Locale.ROOT))) {
                problem(path + ".methods[" + i + "]", quote(method) + " is not an uppercase method name like GET");
            }
        }
        headerFields(path + ".headers", match.headers());
    }

    private static Optional<String> matchHostProblem(String host) {
        if (host.isEmpty()) {
            return Optional.of("must not be empty (leave host out to match every host)");
        }
        if (host.contains("://")) {
            return Optional.of(quote(host) + " must be a host name without a scheme, e.g. app.example.com");
        }
        if (host.indexOf(':') >= 0) {
            return Optional.of(quote(host) + " must not have a port: routes match the host name only");
        }
        if (!host.equals(host.toLowerCase(Locale.ROOT))) {
            return Optional.of(quote(host) + " must be lowercase");
        }
        String name = host.startsWith("*.") ? host.substring(2) : host;
        if (name.indexOf('*') >= 0) {
            return Optional.of(quote(host) + ": a wildcard may only be the whole first label, as in *.example.com");
        }
        if (!NetworkSyntax.isHost(name)) {
            return Optional.of(quote(host) + " is not a valid host name");
        }
        return Optional.empty();
    }

    private void checkProxy(String path, ProxyAction proxy, Map<String, UpstreamConfig> upstreams) {
        if (proxy.upstream() == null || proxy.upstream().isBlank()) {
            problem(path + ".upstream", "is required");
        } else if (!upstreams.containsKey(proxy.upstream())) {
            problem(path + ".upstream", noUpstreamMessage(proxy.upstream(), upstreams));
        }
        if (proxy.stripPrefix() != null) {
            startsWithSlash(path + ".strip_prefix", proxy.stripPrefix());
        }
        if (proxy.rewrite() != null) {
            checkRewrite(path + ".rewrite", proxy.rewrite());
        }
        if (proxy.host() != null && !NetworkSyntax.isHost(proxy.host())
                && NetworkSyntax.hostPortProblem(proxy.host()).isPresent()) {
            problem(path + ".host", quote(proxy.host()) + " is not a host name with an optional :port");
        }
        positive(path + ".timeout", proxy.timeout());
        headerRules(path + ".request_headers", proxy.requestHeaders());
        headerRules(path + ".response_headers", proxy.responseHeaders());
        checkRetry(path + ".retry", proxy.retry(), proxy.timeout());
        positive(path + ".upgrade_idle_timeout", proxy.upgradeIdleTimeout());
        if (proxy.maxRequestBody() < 0) {
            problem(path + ".max_request_body", "must be 0 (no limit) or more, got " + proxy.maxRequestBody());
        }
    }

    private void checkRetry(String path, RetryConfig retry, Duration timeout) {
        if (retry == null) {
            problem(path, "is required (RetryConfig.DEFAULTS retries what never reached the upstream)");
            return;
        }
        if (retry.attempts() < 1 || retry.attempts() > 10) {
            problem(path + ".attempts", "must be 1..10 (1 turns retries off), got " + retry.attempts());
        }
        if (retry.perTryTimeout() != null) {
            positive(path + ".per_try_timeout", retry.perTryTimeout());
            if (timeout != null && retry.perTryTimeout().compareTo(timeout) > 0) {
                problem(path + ".per_try_timeout", "must not exceed the route's timeout ("
                        + Durations.format(timeout) + "), which bounds all tries together");
            }
        }
        for (int i = 0; i < retry.onStatus().size(); i++) {
            int status = retry.onStatus().get(i);
            if (status < 500 || status > 599) {
                problem(path + ".on_status[" + i + "]", "only 5xx statuses are retried, got " + status);
            }
        }
        if (!(retry.budget() >= 0 && retry.budget() <= 1)) {
            problem(path + ".budget", "must be a fraction from 0 to 1, got " + retry.budget());
        }
        if (retry.maxBody() < 0) {
            problem(path + ".max_body", "must be 0 or more, got " + retry.maxBody());
        }
    }

    private static String noUpstreamMessage(String name, Map<String, UpstreamConfig> upstreams) {
        List<String> names = upstreams.keySet().stream().filter(Objects::nonNull).toList();
        if (names.isEmpty()) {
            return "no upstream named " + quote(name) + " (no upstreams are defined)";
        }
        return "no upstream named " + quote(name) + Suggestions.closest(name, names)
                .map(suggestion -> " (did you mean " + quote(suggestion) + "?)")
                .orElse("");
    }

    private void checkRewrite(String path, ProxyAction.PathRewrite rewrite) {
        if (rewrite.pattern() == null) {
            problem(path + ".pattern", "is required");
            return;
        }
        Optional<String> patternProblem = RegexChecks.compileProblem(rewrite.pattern());
        if (patternProblem.isPresent()) {
            problem(path + ".pattern", patternProblem.get());
        } else if (rewrite.replacement() == null) {
            problem(path + ".replacement", "is required");
        } else {
            RegexChecks.replacementProblem(rewrite.pattern(), rewrite.replacement())
                    .ifPresent(message -> problem(path + ".replacement", message));
        }
    }

    private void checkRespond(String path, RespondAction respond) {
        int status = respond.status();
        if (status < 100 || status > 599) {
            problem(path + ".status", "must be 100..599, got " + status);
        }
        if (respond.body() == null) {
            problem(path + ".body", "must not be null (use \"\" for no body)");
        } else if (!respond.body().isEmpty() && (status < 200 || status == 204 || status == 304)) {
            problem(path + ".body", "must be empty: a " + status + " response has no body");
        }
        headerFields(path + ".headers", respond.headers());
    }

    private void checkRedirect(String path, RedirectAction redirect) {
        if (!REDIRECT_STATUSES.contains(redirect.status())) {
            problem(path + ".status", "must be one of 301, 302, 303, 307, 308, got " + redirect.status());
        }
        String location = redirect.location();
        if (location == null || location.isBlank()) {
            problem(path + ".location", "must not be empty");
            return;
        }
        if (!HttpSyntax.isFieldValue(location)) {
            problem(path + ".location", "must not contain line breaks");
        }
        Matcher placeholder = PLACEHOLDER.matcher(location);
        while (placeholder.find()) {
            String name = placeholder.group(1);
            if (!PLACEHOLDERS.contains(name)) {
                String hint = Suggestions.closest(name, PLACEHOLDERS)
                        .map(suggestion -> "; did you mean {" + suggestion + "}?")
                        .orElse("");
                problem(path + ".location", "unknown placeholder {" + name + "} (expected "
                        + PLACEHOLDERS.stream().map(p -> "{" + p + "}").collect(Collectors.joining(", "))
                        + hint + ")");
            }
        }
    }

    private void headerRules(String path, HeaderRules rules) {
        if (rules == null) {
            problem(path, "is required (HeaderRules.NONE makes no edits)");
            return;
        }
        headerFields(path + ".add", rules.add());
        headerFields(path + ".set", rules.set());
        for (int i = 0; i < rules.remove().size(); i++) {
            String name = rules.remove().get(i);
            if (!HttpSyntax.isToken(name)) {
                problem(path + ".remove[" + i + "]", quote(name) + " is not a valid header name");
            } else if (isFraming(name)) {
                problem(path + ".remove[" + i + "]", framingMessage(name));
            }
        }
    }

    private void headerFields(String path, Map<String, String> fields) {
        fields.forEach((name, value) -> {
            if (!HttpSyntax.isToken(name)) {
                problem(path + "." + name, quote(name) + " is not a valid header name");
            } else if (isFraming(name)) {
                problem(path + "." + name, framingMessage(name));
            } else if (!HttpSyntax.isFieldValue(value)) {
                problem(path + "." + name, "header values must not contain line breaks");
            }
        });
    }

    /** Headers that frame a message or describe a connection are Hecate's to set, per hop. */
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "proxy-connection", "te", "upgrade", "trailer");

    private static boolean isFraming(String name) {
        return FRAMING.contains(name.toLowerCase(Locale.ROOT));
    }

    private static String framingMessage(String name) {
        return quote(name) + " frames the message or describes the connection; Hecate sets it itself";
    }

    private void listenAddress(String path, ListenAddress address) {
        if (address == null) {
            problem(path, "is required");
        } else if (!NetworkSyntax.isHost(address.host())) {
            problem(path, quote(address.host()) + " is not a valid host name or IP address");
        }
    }

    private void startsWithSlash(String path, String value) {
        if (!value.startsWith("/")) {
            problem(path, "must start with \"/\", got " + quote(value));
        }
    }

    private void positive(String path, Duration duration) {
        if (duration == null) {
            problem(path, "is required");
        } else if (duration.isNegative() || duration.isZero()) {
            problem(path, "must be positive, got " + Durations.format(duration));
        }
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }

    private void problem(String path, String message) {
        problems.add(new ConfigProblem(null, 0, path, message));
    }
}
