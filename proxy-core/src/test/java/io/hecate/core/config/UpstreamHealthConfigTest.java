package io.hecate.core.config;

import io.hecate.core.internal.admin.ConfigJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The balance, health_check and outlier_detection keys of an upstream: defaults, parsing, problems. */
class UpstreamHealthConfigTest {

    @TempDir
    Path dir;

    @Test
    void absentKeysTakeTheDocumentedDefaults() throws IOException {
        UpstreamConfig app = load("""
                upstreams:
                  app: { targets: ["127.0.0.1:3000"] }
                """);

        assertThat(app.balance()).isEqualTo(BalanceConfig.DEFAULT);
        assertThat(app.balance().policy()).isEqualTo(BalanceConfig.Policy.ROUND_ROBIN);
        assertThat(app.healthCheck()).isNull();
        assertThat(app.outlierDetection()).isEqualTo(new OutlierDetectionConfig(true, 5, true,
                Duration.ofSeconds(30), Duration.ofMinutes(5), 50));
        // The five-argument constructor and the factories keep meaning the same.
        assertThat(UpstreamConfig.of("127.0.0.1:3000")).isEqualTo(app);
    }

    @Test
    void readsEveryKey() throws IOException {
        UpstreamConfig app = load("""
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000", "127.0.0.1:3001"]
                    balance: { policy: consistent_hash, hash_on: { cookie: session } }
                    health_check:
                      path: /healthz
                      interval: 5s
                      timeout: 1s
                      expected_statuses: [200, 204]
                      healthy_threshold: 1
                      unhealthy_threshold: 4
                      start_healthy: false
                    outlier_detection:
                      consecutive_failures: 3
                      count_5xx: false
                      base_ejection_time: 10s
                      max_ejection_time: 1m
                      max_ejection_percent: 100
                """);

        assertThat(app.balance()).isEqualTo(BalanceConfig.consistentHash(BalanceConfig.HashOn.onCookie("session")));
        assertThat(app.healthCheck()).isEqualTo(new HealthCheckConfig("/healthz", Duration.ofSeconds(5),
                Duration.ofSeconds(1), List.of(200, 204), 1, 4, false));
        assertThat(app.outlierDetection()).isEqualTo(new OutlierDetectionConfig(true, 3, false,
                Duration.ofSeconds(10), Duration.ofMinutes(1), 100));
        assertThat(app.healthCheck().passes(204)).isTrue();
        assertThat(app.healthCheck().passes(301)).isFalse();

        String json = ConfigJson.render(ProxyConfig.builder().upstream("app", app).build(), 1, "test", null, null);
        assertThat(json).contains("\"policy\" : \"consistent_hash\"", "\"cookie\" : \"session\"",
                "\"path\" : \"/healthz\"", "\"start_healthy\" : false", "\"count_5xx\" : false",
                "\"max_ejection_time\" : \"60s\"", "\"max_ejection_percent\" : 100");
    }

    @Test
    void anEmptyHealthCheckMappingTurnsChecksOnWithDefaultsAndOffTurnsOutlierDetectionOff() throws IOException {
        UpstreamConfig app = load("""
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000"]
                    balance: { policy: least_request }
                    health_check: {}
                    outlier_detection: off
                """);

        assertThat(app.balance()).isEqualTo(BalanceConfig.leastRequest());
        assertThat(app.healthCheck()).isEqualTo(HealthCheckConfig.of("/"));
        assertThat(app.healthCheck().passes(200)).isTrue();
        assertThat(app.healthCheck().passes(399)).isTrue();
        assertThat(app.healthCheck().passes(404)).isFalse();
        assertThat(app.outlierDetection().enabled()).isFalse();
    }

    @Test
    void reportsEachMistakeAtItsLine() throws IOException {
        Path file = write("""
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000"]
                    balance:
                      policy: consistent_hash
                  web:
                    targets: ["127.0.0.1:3001"]
                    balance: { policy: least_requests }
                    health_check:
                      path: healthz
                      interval: 0s
                      expected_statuses: [200, 700]
                      healthy_threshold: 0
                    outlier_detection:
                      consecutive_failures: 0
                      base_ejection_time: 1m
                      max_ejection_time: 30s
                      max_ejection_percent: 101
                      count_5xx: maybe
                """);

        List<String> problems = catchThrowableOfType(ConfigException.class, () -> new YamlConfigFile(file).load())
                .problems().stream().map(ConfigProblem::toString).toList();

        assertThat(problems).containsExactlyInAnyOrder(
                file + ":4: upstreams.app.balance.hash_on: is required by policy consistent_hash: "
                        + "{ header: NAME }, { cookie: NAME } or { client_address: true }",
                file + ":8: upstreams.web.balance.policy: unknown policy \"least_requests\" (expected one of: "
                        + "round_robin, least_request, random, consistent_hash; did you mean \"least_request\"?)",
                file + ":10: upstreams.web.health_check.path: must start with \"/\", got \"healthz\"",
                file + ":11: upstreams.web.health_check.interval: must be positive, got 0s",
                file + ":12: upstreams.web.health_check.expected_statuses[1]: must be 100..599, got 700",
                file + ":13: upstreams.web.health_check.healthy_threshold: must be at least 1, got 0",
                file + ":15: upstreams.web.outlier_detection.consecutive_failures: must be at least 1, got 0",
                file + ":17: upstreams.web.outlier_detection.max_ejection_time: must not be shorter than "
                        + "base_ejection_time (1m), got 30s",
                file + ":18: upstreams.web.outlier_detection.max_ejection_percent: must be 0..100, got 101",
                file + ":19: upstreams.web.outlier_detection.count_5xx: expected true or false, got \"maybe\"");
    }

    @Test
    void hashOnNeedsExactlyOneKeyAndOnlyWithConsistentHashing() {
        ProxyConfig config = ProxyConfig.builder()
                .upstream("two", UpstreamConfig.of("127.0.0.1:1").withBalance(BalanceConfig.consistentHash(
                        new BalanceConfig.HashOn("X-User", "session", false))))
                .upstream("rr", UpstreamConfig.of("127.0.0.1:1").withBalance(
                        new BalanceConfig(BalanceConfig.Policy.ROUND_ROBIN, BalanceConfig.HashOn.onHeader("X-User"))))
                .upstream("bad", UpstreamConfig.of("127.0.0.1:1").withBalance(BalanceConfig.consistentHash(
                        BalanceConfig.HashOn.onHeader("X User"))))
                .build();

        assertThat(ConfigValidator.validate(config)).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "upstreams.two.balance.hash_on: needs exactly one of header, cookie, client_address (got 2)",
                "upstreams.rr.balance.hash_on: is only used by policy consistent_hash (policy is round_robin)",
                "upstreams.bad.balance.hash_on.header: \"X User\" is not a valid header name");
    }

    private UpstreamConfig load(String yaml) throws IOException {
        try {
            return new YamlConfigFile(write(yaml)).load().upstreams().get("app");
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "hecate", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
