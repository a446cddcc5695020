package io.hecate.core.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigValidatorTest {

    private static final RouteConfig APP_ROUTE =
            RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app"));

    @Test
    void acceptsAValidConfigBuiltInCode() {
        assertThat(ConfigValidator.validate(base().build())).isEmpty();
    }

    @Test
    void problemsFromCodeCarryNoSourceAndNoLine() {
        List<ConfigProblem> problems = ConfigValidator.validate(
                base().route(RouteConfig.of("x", MatchConfig.any(), ProxyAction.to("apq"))).build());

        assertThat(problems).containsExactly(new ConfigProblem(null, 0, "routes[1].proxy.upstream",
                "no upstream named \"apq\" (did you mean \"app\"?)"));
        assertThat(problems.get(0))
                .hasToString("routes[1].proxy.upstream: no upstream named \"apq\" (did you mean \"app\"?)");
    }

    @Test
    void offersNoSuggestionWhenNothingIsClose() {
        assertThat(problems(base().route(RouteConfig.of("x", MatchConfig.any(), ProxyAction.to("billing")))))
                .containsExactly("routes[1].proxy.upstream: no upstream named \"billing\"");
    }

    @Test
    void checksRouteIdsAndActions() {
        assertThat(problems(base()
                .route(RouteConfig.of("app", MatchConfig.any(), RespondAction.of(200, "")))
                .route(RouteConfig.of("", MatchConfig.any(), RespondAction.of(200, "")))
                .route(RouteConfig.of("none", MatchConfig.any(), null))
                .route(new RouteConfig("f", MatchConfig.any(), RespondAction.of(200, ""),
                        List.of(new FilterConfig(" ", Map.of()))))))
                .containsExactly(
                        "routes[1].id: duplicate route id \"app\" (also routes[0])",
                        "routes[2].id: must not be empty",
                        "routes[3]: needs one of proxy, respond, redirect",
                        "routes[4].filters[0].type: must not be empty: it selects the filter factory");
    }

    @Test
    void checksTargets() {
        ProxyConfig config = ProxyConfig.builder()
                .upstream("app", UpstreamConfig.of(new TargetConfig("localhost:65536", 1),
                        new TargetConfig("10.0.0.1", 1), new TargetConfig("::1:80", 1),
                        new TargetConfig("http://a:80", 1), new TargetConfig("[::1]:80", 0),
                        new TargetConfig("a.internal:80", 1001)))
                .upstream("empty", UpstreamConfig.of(new TargetConfig[0]))
                .build();

        assertThat(problems(config)).containsExactlyInAnyOrder(
                "upstreams.app.targets[0].address: port \"65536\" is outside 1..65535",
                "upstreams.app.targets[1].address: \"10.0.0.1\" is not host:port",
                "upstreams.app.targets[2].address: \"::1:80\" needs brackets around the IPv6 address, e.g. [::1]:8080",
                "upstreams.app.targets[3].address: \"http://a:80\" must be host:port without a scheme",
                "upstreams.app.targets[4].weight: must be 1..1000, got 0",
                "upstreams.app.targets[5].weight: must be 1..1000, got 1001");
    }

    @Test
    void checksMatches() {
        assertThat(problems(withMatch(m -> new MatchConfig(null, "/a", "/b", "[", List.of(), Map.of()))))
                .containsExactlyInAnyOrder(
                        "routes[0].match.path_regex: invalid regular expression: Unclosed character class near index 0",
                        "routes[0].match.path_prefix: only one of path, path_prefix, path_regex may be set"
                                + " (also has path)");
        assertThat(problems(withMatch(m -> m.withPath("a")))).containsExactly(
                "routes[0].match.path: must start with \"/\", got \"a\"");
        assertThat(problems(withMatch(m -> m.withMethods("GET", "post", "M-SEARCH")))).containsExactly(
                "routes[0].match.methods[1]: \"post\" is not an uppercase method name like GET");
        assertThat(problems(withMatch(m -> m.withHeader("X Bad", "v")))).containsExactly(
                "routes[0].match.headers.X Bad: \"X Bad\" is not a valid header name");
    }

    @Test
    void acceptsExactAndWildcardHostsOnly() {
        assertThat(problems(withMatch(m -> m.withHost("app.example.com")))).isEmpty();
        assertThat(problems(withMatch(m -> m.withHost("*.example.com")))).isEmpty();
        assertThat(problems(withMatch(m -> m.withHost("a.*.example.com")))).containsExactly(
                "routes[0].match.host: \"a.*.example.com\": a wildcard may only be the whole first label,"
                        + " as in *.example.com");
        assertThat(problems(withMatch(m -> m.withHost("*example.com")))).hasSize(1);
        assertThat(problems(withMatch(m -> m.withHost("app.example.com:8080")))).containsExactly(
                "routes[0].match.host: \"app.example.com:8080\" must not have a port: routes match the host name only");
        assertThat(problems(withMatch(m -> m.withHost("https://app.example.com")))).containsExactly(
                "routes[0].match.host: \"https://app.example.com\" must be a host name without a scheme,"
                        + " e.g. app.example.com");
        assertThat(problems(withMatch(m -> m.withHost("App.example.com")))).containsExactly(
                "routes[0].match.host: \"App.example.com\" must be lowercase");
    }

    @Test
    void checksProxyDetails() {
        ProxyAction proxy = new ProxyAction("app", "api", new ProxyAction.PathRewrite("^/(a)", "/$2"),
                "backend.internal:8443", Duration.ZERO,
                new HeaderRules(Map.of("X-Ok", "a\r\nInjected: 1"), Map.of(), List.of("Bad Name")),
                HeaderRules.NONE);

        assertThat(problems(base().route(RouteConfig.of("p", MatchConfig.any(), proxy)))).containsExactlyInAnyOrder(
                "routes[1].proxy.strip_prefix: must start with \"/\", got \"api\"",
                "routes[1].proxy.rewrite.replacement: replacement refers to group $2 but the pattern has 1 group",
                "routes[1].proxy.timeout: must be positive, got 0s",
                "routes[1].proxy.request_headers.add.X-Ok: header values must not contain line breaks",
                "routes[1].proxy.request_headers.remove[0]: \"Bad Name\" is not a valid header name");
    }

    @Test
    void checksRespondAndRedirect() {
        assertThat(problems(base()
                .route(RouteConfig.of("a", MatchConfig.any(), RespondAction.of(99, "")))
                .route(RouteConfig.of("b", MatchConfig.any(), RespondAction.of(204, "no")))
                .route(RouteConfig.of("c", MatchConfig.any(), new RedirectAction(300, "https://{host}{uri}")))
                .route(RouteConfig.of("d", MatchConfig.any(), new RedirectAction(301, "")))
                .route(RouteConfig.of("e", MatchConfig.any(), new RedirectAction(308, "https://{hots}/")))))
                .containsExactly(
                        "routes[1].respond.status: must be 100..599, got 99",
                        "routes[2].respond.body: must be empty: a 204 response has no body",
                        "routes[3].redirect.status: must be one of 301, 302, 303, 307, 308, got 300",
                        "routes[4].redirect.location: must not be empty",
                        "routes[5].redirect.location: unknown placeholder {hots} (expected {host}, {path}, {query},"
                                + " {uri}; did you mean {host}?)");
    }

    @Test
    void checksListenerLimitsAndAddresses() {
        ListenConfig listen = new ListenConfig(new ListenAddress("0.0.0.0", 9901), Duration.ofMillis(-1),
                Duration.ofSeconds(1), 255, 1023, List.of("10.0.0.0/8", "::1", "10.0.0.0/33", "proxy.internal"));
        ProxyConfig config = base().listen(listen).accessLog(new AccessLogConfig("", 0))
                .drainTimeout(Duration.ZERO).build();

        assertThat(problems(config)).containsExactlyInAnyOrder(
                "listen.header_timeout: must be positive, got -1ms",
                "listen.max_request_line: must be at least 256 bytes, got 255",
                "listen.max_header_size: must be at least 1024 bytes, got 1023",
                "listen.trusted_proxies[2]: \"10.0.0.0/33\" is not an IP address or a CIDR like 10.0.0.0/8",
                "listen.trusted_proxies[3]: \"proxy.internal\" is not an IP address or a CIDR like 10.0.0.0/8",
                "admin.listen: must not use the same address as listen.http (0.0.0.0:9901)",
                "access_log.output: must be stdout, stderr, off or a file path",
                "access_log.queue_size: must be at least 1, got 0",
                "drain_timeout: must be positive, got 0s");
    }

    @Test
    void letsTwoListenersBothAskForAnEphemeralPort() {
        ProxyConfig config = base().listen("127.0.0.1:0")
                .admin(new AdminConfig(new ListenAddress("127.0.0.1", 0))).build();

        assertThat(problems(config)).isEmpty();
    }

    private static ProxyConfig.Builder base() {
        return ProxyConfig.builder().upstream("app", UpstreamConfig.of("127.0.0.1:3000")).route(APP_ROUTE);
    }

    private static ProxyConfig withMatch(UnaryOperator<MatchConfig> change) {
        return ProxyConfig.builder().upstream("app", UpstreamConfig.of("127.0.0.1:3000"))
                .route(RouteConfig.of("app", change.apply(MatchConfig.any()), ProxyAction.to("app"))).build();
    }

    private static List<String> problems(ProxyConfig.Builder builder) {
        return problems(builder.build());
    }

    private static List<String> problems(ProxyConfig config) {
        return ConfigValidator.validate(config).stream().map(ConfigProblem::toString).toList();
    }
}
