package io.hecate.core.config;

import java.time.Duration;
import java.util.List;

/**
 * A named pool of targets.
 *
 * @param targets           the servers
 * @param connectTimeout    longest wait for a TCP connection to a target (504 beyond)
 * @param idleTimeout       a pooled connection unused for this long is closed; keep it below the
 *                          targets' own keep-alive timeout so they never close one we are about to use
 * @param maxLifetime       a connection older than this is not reused
 * @param maxIdlePerLoop    idle connections kept per target and event loop
 * @param balance           how requests are spread over the targets (default: smooth weighted round-robin)
 * @param healthCheck       active health checks, or {@code null} for none (the default)
 * @param outlierDetection  passive health checking (default: on, {@link OutlierDetectionConfig#DEFAULT})
 * @param circuitBreaker    the upstream's circuit breaker, or {@code null} for none (the default)
 * @param maxConcurrentRequests requests in flight to the upstream at most (a bulkhead); beyond that
 *                          requests are answered 503 at once. 0 (the default) means no limit
 * @param protocol          how the targets are spoken to: HTTP/1.1 (the default) or HTTP/2 cleartext
 */
public record UpstreamConfig(List<TargetConfig> targets, Duration connectTimeout, Duration idleTimeout,
                             Duration maxLifetime, int maxIdlePerLoop, BalanceConfig balance,
                             HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection,
                             CircuitBreakerConfig circuitBreaker, int maxConcurrentRequests,
                             UpstreamProtocol protocol) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_IDLE_PER_LOOP = 64;

    public static final UpstreamProtocol DEFAULT_PROTOCOL = UpstreamProtocol.HTTP1;

    /** A missing balance, outlier detection or protocol setting takes its default. */
    public UpstreamConfig {
        targets = List.copyOf(targets);
        balance = balance == null ? BalanceConfig.DEFAULT : balance;
        outlierDetection = outlierDetection == null ? OutlierDetectionConfig.DEFAULT : outlierDetection;
        protocol = protocol == null ? DEFAULT_PROTOCOL : protocol;
    }

    /** No circuit breaker, no concurrency limit. */
    public UpstreamConfig(List<TargetConfig> targets, Duration connectTimeout, Duration idleTimeout,
                          Duration maxLifetime, int maxIdlePerLoop, BalanceConfig balance,
                          HealthCheckConfig healthCheck, OutlierDetectionConfig outlierDetection) {
        this(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, balance, healthCheck,
                outlierDetection, null, 0, DEFAULT_PROTOCOL);
    }

    /** HTTP/1.1, round-robin, no active checks, default outlier detection. */
    public UpstreamConfig(List<TargetConfig> targets, Duration connectTimeout, Duration idleTimeout,
                          Duration maxLifetime, int maxIdlePerLoop) {
        this(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, BalanceConfig.DEFAULT, null,
                OutlierDetectionConfig.DEFAULT);
    }

    public static UpstreamConfig of(TargetConfig... targets) {
        return new UpstreamConfig(List.of(targets), DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_LIFETIME, DEFAULT_MAX_IDLE_PER_LOOP);
    }

    public static UpstreamConfig of(String... addresses) {
        return of(java.util.Arrays.stream(addresses).map(TargetConfig::of).toArray(TargetConfig[]::new));
    }

    public UpstreamConfig withBalance(BalanceConfig newBalance) {
        return new UpstreamConfig(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, newBalance,
                healthCheck, outlierDetection, circuitBreaker, maxConcurrentRequests, protocol);
    }

    /** @param newHealthCheck the active checks, or {@code null} for none */
    public UpstreamConfig withHealthCheck(HealthCheckConfig newHealthCheck) {
        return new UpstreamConfig(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, balance,
                newHealthCheck, outlierDetection, circuitBreaker, maxConcurrentRequests, protocol);
    }

    public UpstreamConfig withOutlierDetection(OutlierDetectionConfig newOutlierDetection) {
        return new UpstreamConfig(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, balance,
                healthCheck, newOutlierDetection, circuitBreaker, maxConcurrentRequests, protocol);
    }

    public UpstreamConfig withTargets(List<TargetConfig> newTargets) {
        return new UpstreamConfig(newTargets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, balance,
                healthCheck, outlierDetection, circuitBreaker, maxConcurrentRequests, protocol);
    }

    public UpstreamConfig withConnectTimeout(Duration newConnectTimeout) {
        return new UpstreamConfig(targets, newConnectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, balance,
                healthCheck, outlierDetection, circuitBreaker, maxConcurrentRequests, protocol);
    }

    /** @param newCircuitBreaker the circuit breaker, or {@code null} for none */
    public UpstreamConfig withCircuitBreaker(CircuitBreakerConfig newCircuitBreaker) {
        return new UpstreamConfig(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, balance,
                healthCheck, outlierDetection, newCircuitBreaker, maxConcurrentRequests, protocol);
    }

    /** @param max requests in flight at most; 0 for no limit */
    public UpstreamConfig withMaxConcurrentRequests(int max) {
        return new UpstreamConfig(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, balance,
                healthCheck, outlierDetection, circuitBreaker, max, protocol);
    }

    public UpstreamConfig withProtocol(UpstreamProtocol newProtocol) {
        return new UpstreamConfig(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, balance,
                healthCheck, outlierDetection, circuitBreaker, maxConcurrentRequests, newProtocol);
    }
}
