package io.hecate.core.config;

import java.time.Duration;

/**
 * The circuit breaker of an upstream: when too many of its recent requests failed or were slow,
 * the circuit opens and requests are answered {@code 503} at once, without reaching a target;
 * after {@code openFor} a few probe requests are let through (half-open), and their outcome
 * closes the circuit again or keeps it open.
 *
 * <p>A request counts once, however many tries it took: it failed when its last try failed
 * (connection refused or broken, timeout, 5xx); it was slow when its response head took longer
 * than {@code slowCallDuration} from the moment it was admitted.
 *
 * @param failureRate      percentage (1..100) of failed requests in the window that opens the circuit
 * @param slowCallRate     percentage (1..100) of slow requests in the window that opens the circuit
 * @param slowCallDuration a request whose response head takes longer than this is slow
 * @param window           the last this many requests are counted
 * @param minimumCalls     no decision is made before this many requests were counted (at most {@code window})
 * @param openFor          how long the circuit stays open before probes are let through
 * @param halfOpenCalls    probe requests let through while half-open; their outcome decides
 */
public record CircuitBreakerConfig(int failureRate, int slowCallRate, Duration slowCallDuration, int window,
                                   int minimumCalls, Duration openFor, int halfOpenCalls) {

    public static final int DEFAULT_FAILURE_RATE = 50;
    public static final int DEFAULT_SLOW_CALL_RATE = 100;
    public static final Duration DEFAULT_SLOW_CALL_DURATION = Duration.ofSeconds(10);
    public static final int DEFAULT_WINDOW = 20;
    public static final int DEFAULT_MINIMUM_CALLS = 10;
    public static final Duration DEFAULT_OPEN_FOR = Duration.ofSeconds(10);
    public static final int DEFAULT_HALF_OPEN_CALLS = 3;

    /** Every setting at its default. */
    public static final CircuitBreakerConfig DEFAULTS = new CircuitBreakerConfig(DEFAULT_FAILURE_RATE,
            DEFAULT_SLOW_CALL_RATE, DEFAULT_SLOW_CALL_DURATION, DEFAULT_WINDOW, DEFAULT_MINIMUM_CALLS,
            DEFAULT_OPEN_FOR, DEFAULT_HALF_OPEN_CALLS);

    public CircuitBreakerConfig withFailureRate(int percent) {
        return new CircuitBreakerConfig(percent, slowCallRate, slowCallDuration, window, minimumCalls, openFor,
                halfOpenCalls);
    }

    public CircuitBreakerConfig withSlowCalls(int percent, Duration duration) {
        return new CircuitBreakerConfig(failureRate, percent, duration, window, minimumCalls, openFor, halfOpenCalls);
    }

    public CircuitBreakerConfig withWindow(int size, int minimum) {
        return new CircuitBreakerConfig(failureRate, slowCallRate, slowCallDuration, size, minimum, openFor,
                halfOpenCalls);
    }

    public CircuitBreakerConfig withOpenFor(Duration duration, int probes) {
        return new CircuitBreakerConfig(failureRate, slowCallRate, slowCallDuration, window, minimumCalls, duration,
                probes);
    }
}
