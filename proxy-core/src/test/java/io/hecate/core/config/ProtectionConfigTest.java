package io.hecate.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The YAML keys of circuit breakers, bulkheads and security headers: mapping, defaults, mistakes. */
class ProtectionConfigTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void mapsCircuitBreakerAndBulkheadWithDefaults() throws Exception {
        ProxyConfig config = new YamlConfigFile(write("""
                upstreams:
                  full:
                    targets: ["127.0.0.1:3000"]
                    circuit_breaker: { failure_rate: 40, slow_call_rate: 80, slow_call_duration: 2s, window: 30,
                                       minimum_calls: 5, open_for: 15s, half_open_calls: 2 }
                    max_concurrent_requests: 100
                  defaults:
                    targets: ["127.0.0.1:3001"]
                    circuit_breaker: {}
                  none:
                    targets: ["127.0.0.1:3002"]
                  off:
                    targets: ["127.0.0.1:3003"]
                    circuit_breaker: off
                """)).load();
        assertThat(config.upstreams().get("full").circuitBreaker()).isEqualTo(
                new CircuitBreakerConfig(40, 80, Duration.ofSeconds(2), 30, 5, Duration.ofSeconds(15), 2));
        assertThat(config.upstreams().get("full").maxConcurrentRequests()).isEqualTo(100);
        assertThat(config.upstreams().get("defaults").circuitBreaker()).isEqualTo(CircuitBreakerConfig.DEFAULTS);
        assertThat(config.upstreams().get("none").circuitBreaker()).isNull();
        assertThat(config.upstreams().get("none").maxConcurrentRequests()).isZero();
        assertThat(config.upstreams().get("off").circuitBreaker()).isNull();
    }

    @Test
    void mapsSecurityHeaders() throws Exception {
        ProxyConfig config = new YamlConfigFile(write("""
                routes:
                  - respond: { status: 204 }
                    security_headers:
                      hsts: "max-age=63072000; includeSubDomains; preload"
                      content_type_options: nosniff
                      frame_options: SAMEORIGIN
                      referrer_policy: same-origin
                      content_security_policy: "default-src 'none'"
                      permissions_policy: "camera=()"
                      remove: [Server]
                      override: false
                  - respond: { status: 204 }
                    security_headers: recommended
                """)).load();
        assertThat(config.routes().get(0).securityHeaders()).isEqualTo(new SecurityHeadersConfig(
                "max-age=63072000; includeSubDomains; preload", "nosniff", "SAMEORIGIN", "same-origin",
                "default-src 'none'", "camera=()", List.of("Server"), false));
        assertThat(config.routes().get(1).securityHeaders()).isEqualTo(SecurityHeadersConfig.RECOMMENDED);
    }

    @Test
    void theFullExampleLoadsWithTheProtectionKeys() throws Exception {
        ProxyConfig config = new YamlConfigFile(Path.of("..", "conf", "examples", "full.yaml")).load();
        assertThat(config.upstreams().get("app").circuitBreaker()).isEqualTo(CircuitBreakerConfig.DEFAULTS);
        assertThat(config.routes().get(0).securityHeaders().frameOptions()).isEqualTo("DENY");
        assertThat(config.routes().get(0).filters().get(0).type()).isEqualTo("rate_limit");
    }

    @Test
    void reportsEveryMistakeAtItsLine() throws Exception {
        Path file = write("""
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000"]
                    circuit_breaker:
                      failure_rate: 0
                      slow_call_rate: 101
                      window: 5
                      minimum_calls: 10
                      open_for: 0s
                      half_open_calls: 0
                      treshold: 3
                    max_concurrent_requests: -1
                  other:
                    targets: ["127.0.0.1:3001"]
                    circuit_breaker: sometimes
                """);
        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> new YamlConfigFile(file).load());
        assertThat(failure.getMessage().lines().map(line -> line.substring(line.indexOf(':') + 1)).toList())
                .containsExactly(
                        "5: upstreams.app.circuit_breaker.failure_rate: must be a percentage from 1 to 100, got 0",
                        "6: upstreams.app.circuit_breaker.slow_call_rate: must be a percentage from 1 to 100, got 101",
                        "8: upstreams.app.circuit_breaker.minimum_calls: must not exceed window (5), got 10",
                        "9: upstreams.app.circuit_breaker.open_for: must be positive, got 0s",
                        "10: upstreams.app.circuit_breaker.half_open_calls: must be at least 1, got 0",
                        "11: upstreams.app.circuit_breaker.treshold: unknown key \"treshold\" (expected one of: failure_rate,"
                                + " slow_call_rate, slow_call_duration, window, minimum_calls, open_for, half_open_calls)",
                        "12: upstreams.app.max_concurrent_requests: must be 0 (no limit) or more, got -1",
                        "15: upstreams.other.circuit_breaker: expected a mapping or off, got \"sometimes\"");
    }
}
