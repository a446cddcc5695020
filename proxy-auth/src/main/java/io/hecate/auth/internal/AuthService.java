package io.hecate.auth.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One auth service: its circuit breaker (shared by all event loops; resilience4j's state machine,
 * asked without blocking) and, per event loop, a connection pool and the checks in flight.
 */
public final class AuthService {

    record Key(ForwardAuthPolicy.ServiceAddress address, ForwardAuthPolicy.BreakerSettings breaker, int maxConnections) {
    }

    /** Receives the result of a check, on the event loop that asked. */
    public interface Waiter {
        void deliver(AuthResult result);
    }

    /** A subrequest in flight on one loop and every check waiting for its result. */
    static final class InFlight {
        final String key;
        final List<Waiter> waiters = new ArrayList<>(1);

        InFlight(String key, Waiter leader) {
            this.key = key;
            waiters.add(leader);
        }
    }

    /** What one event loop keeps for this service; touched only by that loop. */
    final class LoopState {
        final EventLoop loop;
        final AuthPool pool;
        final Map<String, InFlight> inFlight = new HashMap<>();

        LoopState(EventLoop loop) {
            this.loop = loop;
            this.pool = new AuthPool(loop, AuthService.this);
        }

        void completed(InFlight flight, AuthResult result) {
            if (flight.key != null) {
                inFlight.remove(flight.key, flight);
            }
            for (Waiter waiter : flight.waiters) {
                waiter.deliver(result);
            }
        }
    }

    private final Key key;
    private final AuthClient client;
    private final AuthStats.ServiceStats stats;
    private final CircuitBreaker breaker;
    private final Map<EventLoop, LoopState> loops = new ConcurrentHashMap<>();

    AuthService(Key key, AuthClient client, AuthStats.ServiceStats stats) {
        this.key = key;
        this.client = client;
        this.stats = stats;
        ForwardAuthPolicy.BreakerSettings b = key.breaker();
        this.breaker = CircuitBreaker.of(key.address().origin(), CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.window())
                .minimumNumberOfCalls(b.minimumCalls())
                .failureRateThreshold(b.failureRate())
                .waitDurationInOpenState(b.openFor())
                .permittedNumberOfCallsInHalfOpenState(Math.min(3, b.minimumCalls()))
                .writableStackTraceEnabled(false)
                .build());
        stats.circuitState(() -> breaker.getState().name().toLowerCase(Locale.ROOT));
    }

    ForwardAuthPolicy.ServiceAddress address() {
        return key.address();
    }

    int maxConnections() {
        return key.maxConnections();
    }

    AuthClient client() {
        return client;
    }

    AuthStats.ServiceStats stats() {
        return stats;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    public String state() {
        return breaker.getState().name().toLowerCase(Locale.ROOT);
    }

    /**
     * Asks the service, on {@code loop} (the caller's own). With a {@code coalesceKey}, a check
     * identical to one already in flight on this loop waits for that one's result instead.
     */
    public void check(EventLoop loop, String endpoint, HttpHeaders headers, long timeoutNanos, String describe,
                      String coalesceKey, Waiter waiter) {
        LoopState state = state(loop);
        if (coalesceKey != null) {
            InFlight existing = state.inFlight.get(coalesceKey);
            if (existing != null) {
                existing.waiters.add(waiter);
                stats.coalesced();
                return;
            }
        }
        if (!breaker.tryAcquirePermission()) {
            waiter.deliver(new AuthResult.Failure(AuthStats.Outcome.CIRCUIT_OPEN, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    describe + " is failing: circuit breaker open, not asking it for now"));
            return;
        }
        InFlight flight = new InFlight(coalesceKey, waiter);
        if (coalesceKey != null) {
            state.inFlight.put(coalesceKey, flight);
        }
        new Subrequest(this, state, flight, endpoint, headers, timeoutNanos, describe).start();
    }

    private LoopState state(EventLoop loop) {
        LoopState state = loops.get(loop);
        if (state == null) {
            state = loops.computeIfAbsent(loop, LoopState::new);
            // Forget a loop once it has shut down (a stopped proxy), so nothing holds on to it.
            loop.terminationFuture().addListener(f -> loops.remove(loop));
        }
        return state;
    }
}
