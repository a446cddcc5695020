package io.hecate.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

class YamlConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void pointsAtTheLineOfAMissingUpstreamAndSuggestsTheClosestName() throws IOException {
        Path file = write("""
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000"]
                routes:
                  - id: one
                    match: { path: "/one" }
                    proxy: { upstream: app }
                  - id: two
                    match: { path: "/two" }
                    respond: { status: 204 }
                  - id: three
                    match: { path_prefix: "/three" }
                    proxy:
                      upstream: ap
                """);

        ConfigException failure = loadFailure(file);

        assertThat(failure.problems()).containsExactly(new ConfigProblem(file.toString(), 14,
                "routes[2].proxy.upstream", "no upstream named \"ap\" (did you mean \"app\"?)"));
        assertThat(failure.getMessage()).isEqualTo(
                file + ":14: routes[2].proxy.upstream: no upstream named \"ap\" (did you mean \"app\"?)");
    }

    @Test
    void rejectsAnUnknownKeyAtItsLineAndSuggestsTheClosestKey() throws IOException {
        Path file = write("""
                upstreams:
                  app: { targets: ["127.0.0.1:3000"] }
                routes:
                  - match: { path_prefix: "/" }
                    proxy:
                      upstream: app
                      tiemout: 5s
                """);

        ConfigProblem problem = onlyProblem(file);

        assertThat(problem.line()).isEqualTo(7);
        assertThat(problem.path()).isEqualTo("routes[0].proxy.tiemout");
        assertThat(problem.message())
                .startsWith("unknown key \"tiemout\" (expected one of: upstream, strip_prefix, rewrite,")
                .endsWith("; did you mean \"timeout\"?)");
    }

    @Test
    void rejectsDurationsThatAreNotANumberWithAUnit() throws IOException {
        Path file = write("""
                listen:
                  idle_timeout: abc
                  header_timeout: 30
                """);

        List<ConfigProblem> problems = loadFailure(file).problems();

        assertThat(problems).extracting(ConfigProblem::toString).containsExactly(
                file + ":2: listen.idle_timeout: expected a duration like 30s or 250ms, got \"abc\"",
                file + ":3: listen.header_timeout: expected a duration like 30s or 250ms, got \"30\""
                        + " (a unit is required)");
    }

    @Test
    void reportsAYamlSyntaxErrorWithItsLine() throws IOException {
        Path file = write("""
                listen:
                  http: "127.0.0.1:8080"
                    idle_timeout: 5s
                """);

        ConfigProblem problem = onlyProblem(file);

        assertThat(problem.source()).isEqualTo(file.toString());
        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.message()).startsWith("invalid YAML: ").contains("expected <block end>");
    }

    @Test
    void namesAMissingFile() {
        Path file = dir.resolve("absent.yaml");

        ConfigProblem problem = onlyProblem(file);

        assertThat(problem.toString()).startsWith(file + ": no such file");
    }

    @Test
    void anEmptyFileMeansEveryDefault() throws Exception {
        ProxyConfig defaults = ProxyConfig.builder().build();

        assertThat(new YamlConfigFile(write("")).load()).isEqualTo(defaults);
        assertThat(new YamlConfigFile(write("# nothing configured yet\n")).load()).isEqualTo(defaults);
        assertThat(defaults.listen().http()).isEqualTo(new ListenAddress("127.0.0.1", 8080));
        assertThat(defaults.admin().listen()).isEqualTo(new ListenAddress("127.0.0.1", 9901));
    }

    @Test
    void collectsEveryProblemInLineOrder() throws IOException {
        Path file = write("""
                listen:
                  max_request_line: 100
                drain_timeout: soon
                upstreams:
                  app:
                    targets:
                      - "127.0.0.1:0"
                routes:
                  - id: a
                    match: { path_regex: "(unclosed" }
                    respond: { status: 200 }
                  - id: a
                    proxy: { upstream: app }
                    respond: { status: 200 }
                  - id: c
                    colour: blue
                """);

        List<ConfigProblem> problems = loadFailure(file).problems();

        assertThat(problems).extracting(ConfigProblem::line, ConfigProblem::path).containsExactly(
                tuple(2, "listen.max_request_line"),
                tuple(3, "drain_timeout"),
                tuple(7, "upstreams.app.targets[0].address"),
                tuple(10, "routes[0].match.path_regex"),
                tuple(12, "routes[1].id"),
                tuple(14, "routes[1].respond"),
                tuple(15, "routes[2]"),
                tuple(16, "routes[2].colour"));
        assertThat(problems).extracting(ConfigProblem::message).containsExactly(
                "must be at least 256 bytes, got 100",
                "expected a duration like 30s or 250ms, got \"soon\"",
                "port \"0\" is outside 1..65535",
                "invalid regular expression: Unclosed group near index 9",
                "duplicate route id \"a\" (also routes[0])",
                "a route takes only one of proxy, respond, redirect (this one also has proxy)",
                "needs one of proxy, respond, redirect",
                "unknown key \"colour\" (expected one of: id, match, proxy, respond, redirect, filters, security_headers)");
    }

    @Test
    void reportsWrongTypesWithoutRepeatingThemAsMissingValues() throws IOException {
        Path file = write("""
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000"]
                    max_idle_per_loop: many
                routes:
                  - proxy:
                      upstream: [app]
                  - respond: "hello"
                """);

        assertThat(loadFailure(file).problems()).extracting(ConfigProblem::toString).containsExactly(
                file + ":4: upstreams.app.max_idle_per_loop: expected an integer, got \"many\"",
                file + ":7: routes[0].proxy.upstream: expected a string, got a list",
                file + ":8: routes[1].respond: expected a mapping, got \"hello\"");
    }

    @Test
    void fillsInDefaultsAndReadsEveryValueForm() throws Exception {
        Path file = write("""
                listen:
                  http: ":8081"
                  max_request_line: 1MiB
                  max_header_size: 2048
                admin:
                  listen: off
                upstreams:
                  app:
                    targets:
                      - "10.1.1.1:80"
                      - { address: "[::1]:81", weight: 5 }
                routes:
                  - proxy: { upstream: app, timeout: 1m30s }
                    filters:
                      - { type: example, limit: 10, strict: true, ratio: 0.5, names: [a, b], nested: { k: v } }
                """);

        ProxyConfig config = new YamlConfigFile(file).load();

        assertThat(config.listen().http()).isEqualTo(new ListenAddress("0.0.0.0", 8081));
        assertThat(config.listen().maxRequestLine()).isEqualTo(1024 * 1024);
        assertThat(config.listen().maxHeaderBytes()).isEqualTo(2048);
        assertThat(config.listen().headerTimeout()).isEqualTo(ListenConfig.DEFAULT_HEADER_TIMEOUT);
        assertThat(config.admin().enabled()).isFalse();
        assertThat(config.upstreams().get("app").targets())
                .containsExactly(new TargetConfig("10.1.1.1:80", 1), new TargetConfig("[::1]:81", 5));
        assertThat(config.upstreams().get("app").maxLifetime()).isEqualTo(UpstreamConfig.DEFAULT_MAX_LIFETIME);
        RouteConfig route = config.routes().get(0);
        assertThat(route.id()).isEqualTo("route-0");
        assertThat(route.match()).isEqualTo(MatchConfig.any());
        assertThat(route.action()).isEqualTo(ProxyAction.to("app").withTimeout(Duration.ofSeconds(90)));
        assertThat(route.filters()).containsExactly(new FilterConfig("example", Map.of(
                "limit", 10, "strict", true, "ratio", 0.5, "names", List.of("a", "b"), "nested", Map.of("k", "v"))));
    }

    @Test
    void theShippedDefaultConfigLoadsAndAnswersAtTheRoot() throws Exception {
        ProxyConfig config = new YamlConfigFile(Path.of("..", "conf", "hecate.yaml")).load();

        assertThat(config.listen().http()).isEqualTo(new ListenAddress("127.0.0.1", 8080));
        assertThat(config.admin().listen()).isEqualTo(new ListenAddress("127.0.0.1", 9901));
        assertThat(config.accessLog().output()).isEqualTo(AccessLogConfig.STDOUT);
        assertThat(config.routes()).singleElement().satisfies(route -> {
            assertThat(route.match().path()).isEqualTo("/");
            assertThat(route.action()).isInstanceOfSatisfying(RespondAction.class, respond -> {
                assertThat(respond.status()).isEqualTo(200);
                assertThat(respond.body()).isEqualTo("Hecate is running\n");
            });
        });
    }

    @Test
    void theFullExampleLoads() throws Exception {
        ProxyConfig config = new YamlConfigFile(Path.of("..", "conf", "examples", "full.yaml")).load();

        assertThat(config.upstreams()).containsOnlyKeys("app");
        assertThat(config.upstreams().get("app").targets()).hasSize(2);
        assertThat(config.routes()).extracting(RouteConfig::id).containsExactly("api", "legacy", "health", "to-https");
        assertThat(config.routes()).extracting(RouteConfig::action).hasExactlyElementsOfTypes(
                ProxyAction.class, ProxyAction.class, RespondAction.class, RedirectAction.class);
        assertThat(config.listen().maxRequestLine()).isEqualTo(8192);
        assertThat(config.listen().trustedProxies()).containsExactly("127.0.0.1", "10.0.0.0/8", "::1");
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "hecate", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static ConfigException loadFailure(Path file) {
        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> new YamlConfigFile(file).load());
        assertThat(failure).as("load() of %s should fail", file).isNotNull();
        return failure;
    }

    private static ConfigProblem onlyProblem(Path file) {
        List<ConfigProblem> problems = loadFailure(file).problems();
        assertThat(problems).hasSize(1);
        return problems.get(0);
    }
}
