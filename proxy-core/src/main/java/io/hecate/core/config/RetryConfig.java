package io.hecate.core.config;

import java.time.Duration;
import java.util.List;

/**
 * When a proxied request is tried again, on another target.
 *
 * <p>A try that provably never reached the upstream (the connection could not be made, or an
 * HTTP/2 upstream refused the stream) is retried for any method. A try that may have reached it is
 * retried only for idempotent methods, only when this route opts in ({@code onTimeout},
 * {@code onStatus}), and only while the route's retry budget allows.
 *
 * @param attempts      tries in all, the first included; 1 turns retries off
 * @param perTryTimeout each try's wait for the response head, or {@code null} for the route's timeout
 * @param onTimeout     retry idempotent requests whose try timed out
 * @param onStatus      retry idempotent requests answered with one of these statuses
 * @param budget        retries that may have reached the upstream add at most this fraction to the
 *                      route's requests, so retries cannot multiply the load of an outage
 * @param maxBody       request bodies up to this many bytes are kept so a retry can send them again;
 *                      a longer body is never retried once sent
 */
public record RetryConfig(int attempts, Duration perTryTimeout, boolean onTimeout, List<Integer> onStatus,
                          double budget, int maxBody) {

    public static final int DEFAULT_ATTEMPTS = 2;
    public static final double DEFAULT_BUDGET = 0.2;
    public static final int DEFAULT_MAX_BODY = 64 * 1024;
    public static final RetryConfig DEFAULTS =
            new RetryConfig(DEFAULT_ATTEMPTS, null, false, List.of(), DEFAULT_BUDGET, DEFAULT_MAX_BODY);

    public RetryConfig {
        onStatus = List.copyOf(onStatus);
    }

    /** Up to {@code attempts} tries, also on timeouts and on these statuses. */
    public static RetryConfig onFailures(int attempts, Duration perTryTimeout, Integer... statuses) {
        return new RetryConfig(attempts, perTryTimeout, true, List.of(statuses), DEFAULT_BUDGET, DEFAULT_MAX_BODY);
    }

    public RetryConfig withBudget(double fraction) {
        return new RetryConfig(attempts, perTryTimeout, onTimeout, onStatus, fraction, maxBody);
    }
}
