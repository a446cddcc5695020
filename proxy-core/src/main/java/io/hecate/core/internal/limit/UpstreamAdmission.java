package io.hecate.core.internal.limit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hecate.core.config.CircuitBreakerConfig;
import io.hecate.core.config.UpstreamConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * Whether an upstream takes one more request: its bulkhead (at most {@code max_concurrent_requests}
 * in flight) and its circuit breaker. Consulted once per request, before the first try, by the
 * exchange; the {@link AdmissionTicket} it hands out is closed when the exchange ends and reports
 * the request's outcome to the breaker.
 *
 * <p>Nothing here blocks or takes a lock: the bulkhead is a compare-and-set counter; the breaker
 * is resilience4j's state machine (an atomic state reference) with a lock-free sliding window, and
 * it leaves the open state lazily, by time, when a request asks, so it needs no scheduler thread.
 */
public final class UpstreamAdmission {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamAdmission.class);

    /** Admits everything, counts nothing (no breaker, no limit). */
    public static final UpstreamAdmission UNLIMITED = new UpstreamAdmission("", null, 0, new Concurrency());

    private final String upstream;
    private final CircuitBreakerConfig breakerConfig;
    private final CircuitBreaker breaker;
    private final int maxConcurrent;
    private final Concurrency concurrency;
    /** When the circuit last opened (System.nanoTime), for the time left until probes. */
    private volatile long openedAtNanos;

    UpstreamAdmission(String upstream, CircuitBreakerConfig breakerConfig, int maxConcurrent, Concurrency concurrency) {
        this.upstream = upstream;
        this.breakerConfig = breakerConfig;
        this.maxConcurrent = maxConcurrent;
        this.concurrency = concurrency;
        this.breaker = breakerConfig == null ? null : newBreaker(upstream, breakerConfig);
        if (breaker != null) {
            breaker.getEventPublisher().onStateTransition(event -> {
                CircuitBreaker.State to = event.getStateTransition().getToState();
                if (to == CircuitBreaker.State.OPEN) {
                    openedAtNanos = System.nanoTime();
                    CircuitBreaker.Metrics metrics = breaker.getMetrics();
                    LOG.warn("upstream {}: circuit open for {}ms (failure rate {}%, slow call rate {}% over {} requests)",
                            upstream, breakerConfig.openFor().toMillis(), percent(metrics.getFailureRate()),
                            percent(metrics.getSlowCallRate()), metrics.getNumberOfBufferedCalls());
                } else {
                    LOG.info("upstream {}: circuit {}", upstream, stateName(to).replace('_', '-'));
                }
            });
        }
    }

    /** An admission of its own (no registry; as in unit tests). */
    public static UpstreamAdmission of(String upstream, UpstreamConfig config) {
        if (config.circuitBreaker() == null && config.maxConcurrentRequests() <= 0) {
            return UNLIMITED;
        }
        return new UpstreamAdmission(upstream, config.circuitBreaker(), config.maxConcurrentRequests(),
                new Concurrency());
    }

    private static CircuitBreaker newBreaker(String name, CircuitBreakerConfig config) {
        io.github.resilience4j.circuitbreaker.CircuitBreakerConfig r4j =
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                        .failureRateThreshold(config.failureRate())
                        .slowCallRateThreshold(config.slowCallRate())
                        .slowCallDurationThreshold(config.slowCallDuration())
                        .slidingWindow(config.window(), config.minimumCalls(),
                                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType.COUNT_BASED,
                                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig
                                        .SlidingWindowSynchronizationStrategy.LOCK_FREE)
                        .waitDurationInOpenState(config.openFor())
                        .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
                        .automaticTransitionFromOpenToHalfOpenEnabled(false)
                        // Outcomes are reported with onSuccess/onError, never by exceptions thrown at it.
                        .recordException(e -> true)
                        .build();
        return CircuitBreaker.of(name, r4j);
    }

    /** Whether this admission was made for the same settings (a reload keeps the breaker's state then). */
    boolean sameSettings(UpstreamConfig config) {
        return Objects.equals(breakerConfig, config.circuitBreaker()) && maxConcurrent == config.maxConcurrentRequests();
    }

    Concurrency concurrency() {
        return concurrency;
    }

    /**
     * Admits one request or says why not, at once. An admitted request must have its ticket
     * {@linkplain AdmissionTicket#close() closed} exactly when it ends.
     */
    public AdmissionTicket admit() {
        if (this == UNLIMITED) {
            return AdmissionTicket.UNCOUNTED;
        }
        if (!concurrency.tryAcquire(maxConcurrent)) {
            concurrency.rejectedConcurrency.increment();
            return AdmissionTicket.refused("upstream " + upstream + " is at its limit of " + maxConcurrent
                    + " concurrent requests", 1);
        }
        if (breaker != null && !breaker.tryAcquirePermission()) {
            concurrency.release();
            concurrency.rejectedCircuitOpen.increment();
            CircuitBreaker.State state = breaker.getState();
            long retry = state == CircuitBreaker.State.OPEN ? Math.max(1, secondsUntilProbes()) : 1;
            String reason = state == CircuitBreaker.State.HALF_OPEN
                    ? "upstream " + upstream + ": circuit half-open, probe requests in flight"
                    : "upstream " + upstream + ": circuit open (failure rate " + percent(breaker.getMetrics().getFailureRate())
                    + "%, slow call rate " + percent(breaker.getMetrics().getSlowCallRate()) + "%); retry in " + retry + "s";
            return AdmissionTicket.refused(reason, retry);
        }
        return new AdmissionTicket(this, System.nanoTime());
    }

    void ended(long durationNanos, Boolean success) {
        concurrency.release();
        if (breaker == null) {
            return;
        }
        if (success == null) {
            breaker.releasePermission();
        } else if (success) {
            breaker.onSuccess(durationNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } else {
            breaker.onError(durationNanos, java.util.concurrent.TimeUnit.NANOSECONDS, UpstreamFailure.INSTANCE);
        }
    }

    // ---- what the admin API and the metrics show -------------------------------------------------

    public String upstream() {
        return upstream;
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    public int active() {
        return concurrency.active();
    }

    public long rejectedConcurrency() {
        return concurrency.rejectedConcurrency();
    }

    public long rejectedCircuitOpen() {
        return concurrency.rejectedCircuitOpen();
    }

    /** The breaker's settings, or {@code null} when the upstream has none. */
    public CircuitBreakerConfig breakerConfig() {
        return breakerConfig;
    }

    /** {@code closed}, {@code open} or {@code half_open}; {@code null} without a breaker. */
    public String breakerState() {
        return breaker == null ? null : stateName(breaker.getState());
    }

    /** The breaker's window: failure and slow call rates in percent (-1 before minimum_calls), counts. */
    public BreakerMetrics breakerMetrics() {
        if (breaker == null) {
            return null;
        }
        CircuitBreaker.Metrics m = breaker.getMetrics();
        return new BreakerMetrics(m.getFailureRate(), m.getSlowCallRate(), m.getNumberOfBufferedCalls(),
                m.getNumberOfFailedCalls(), m.getNumberOfSlowCalls(), m.getNumberOfNotPermittedCalls());
    }

    /** Seconds until an open circuit lets probes through; 0 when it is not open. */
    public long secondsUntilProbes() {
        if (breaker == null || breaker.getState() != CircuitBreaker.State.OPEN) {
            return 0;
        }
        long left = breakerConfig.openFor().toNanos() - (System.nanoTime() - openedAtNanos);
        return left <= 0 ? 0 : (left + 999_999_999L) / 1_000_000_000L;
    }

    /** The breaker's window as the admin API and the metrics show it. */
    public record BreakerMetrics(float failureRate, float slowCallRate, int calls, int failedCalls, int slowCalls,
                                 long notPermittedCalls) {
    }

    private static String stateName(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> "closed";
            case OPEN, FORCED_OPEN -> "open";
            case HALF_OPEN -> "half_open";
            default -> state.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String percent(float rate) {
        return rate < 0 ? "n/a" : Integer.toString(Math.round(rate));
    }

    /** Stands for a failed request in the breaker's window; the breaker needs a Throwable. */
    private static final class UpstreamFailure extends RuntimeException {
        static final UpstreamFailure INSTANCE = new UpstreamFailure();

        private UpstreamFailure() {
            super("upstream failure", null, false, false);
        }
    }

    @Override
    public String toString() {
        return "UpstreamAdmission[" + upstream + ", breaker=" + breakerConfig + ", max=" + maxConcurrent + "]";
    }
}
