package io.hecate.core.config;

import java.time.Duration;
import java.util.List;

/**
 * Active health checking of every target of an upstream: an HTTP/1.1 {@code GET path} on a
 * connection of its own, every {@code interval} (jittered by ±10%), off the request path.
 *
 * @param path               the request path (and query), starting with {@code /}
 * @param interval           time from the end of one check of a target to the start of the next
 * @param timeout            longest wait for the connection and the response head; longer is a failure
 * @param expectedStatuses   statuses that count as passing; empty means any of 200..399
 * @param healthyThreshold   consecutive passing checks that bring a target that is down back up
 * @param unhealthyThreshold consecutive failing checks that take a target that is up down
 * @param startHealthy       whether a target new to the configuration takes traffic before its
 *                           first checks passed ({@code true}, optimistic) or only after
 *                           {@code healthyThreshold} of them did
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, List<Integer> expectedStatuses,
                                int healthyThreshold, int unhealthyThreshold, boolean startHealthy) {

    public static final String DEFAULT_PATH = "/";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
    public static final boolean DEFAULT_START_HEALTHY = true;

    public HealthCheckConfig {
        expectedStatuses = expectedStatuses == null ? List.of() : List.copyOf(expectedStatuses);
    }

    /** Checks of {@code path} with every other setting at its default. */
    public static HealthCheckConfig of(String path) {
        return new HealthCheckConfig(path, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, List.of(), DEFAULT_HEALTHY_THRESHOLD,
                DEFAULT_UNHEALTHY_THRESHOLD, DEFAULT_START_HEALTHY);
    }

    public HealthCheckConfig withInterval(Duration newInterval, Duration newTimeout) {
        return new HealthCheckConfig(path, newInterval, newTimeout, expectedStatuses, healthyThreshold,
                unhealthyThreshold, startHealthy);
    }

    public HealthCheckConfig withThresholds(int healthy, int unhealthy) {
        return new HealthCheckConfig(path, interval, timeout, expectedStatuses, healthy, unhealthy, startHealthy);
    }

    public HealthCheckConfig withExpectedStatuses(List<Integer> statuses) {
        return new HealthCheckConfig(path, interval, timeout, statuses, healthyThreshold, unhealthyThreshold,
                startHealthy);
    }

    public HealthCheckConfig withStartHealthy(boolean healthy) {
        return new HealthCheckConfig(path, interval, timeout, expectedStatuses, healthyThreshold, unhealthyThreshold,
                healthy);
    }

    /** Whether a check answered with {@code status} passes. */
    public boolean passes(int status) {
        return expectedStatuses.isEmpty() ? status >= 200 && status <= 399 : expectedStatuses.contains(status);
    }
}
