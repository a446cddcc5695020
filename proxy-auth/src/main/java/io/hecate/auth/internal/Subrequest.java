package io.hecate.auth.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * One call to an auth service: a body-less GET on a pooled connection of the caller's event loop,
 * bounded by one deadline that covers waiting for a connection, connecting and the answer. Ends
 * exactly once, reporting to the circuit breaker, the metrics and every check waiting for it.
 */
final class Subrequest {

    private final AuthService service;
    private final AuthService.LoopState state;
    private final AuthService.InFlight flight;
    private final String endpoint;
    private final HttpHeaders headers;
    private final long timeoutNanos;
    private final String describe;
    private final long startNanos = System.nanoTime();
    private ScheduledFuture<?> timer;
    private AuthConnection connection;
    private boolean retried;
    private boolean done;

    Subrequest(AuthService service, AuthService.LoopState state, AuthService.InFlight flight, String endpoint,
               HttpHeaders headers, long timeoutNanos, String describe) {
        this.service = service;
        this.state = state;
        this.flight = flight;
        this.endpoint = endpoint;
        this.headers = headers;
        this.timeoutNanos = timeoutNanos;
        this.describe = describe;
    }

    void start() {
        timer = state.loop.schedule(this::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
        state.pool.acquire(this);
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    boolean isDone() {
        return done;
    }

    void connected(AuthConnection c) {
        if (done) {
            state.pool.release(c); // timed out while connecting: the fresh connection is still good
            return;
        }
        if (!c.isActive()) {
            lost(false); // closed between connecting and now: a plain failure, not the keep-alive race
            return;
        }
        connection = c;
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, endpoint,
                Unpooled.EMPTY_BUFFER);
        request.headers().set(headers);
        c.send(this, request);
    }

    void connectFailed(Throwable cause) {
        if (done) {
            return;
        }
        if (cause instanceof ConnectTimeoutException) {
            finish(timeout());
        } else if (cause instanceof UnknownHostException) {
            finish(unavailable("cannot be resolved (" + service.address().host() + ")"));
        } else if (cause instanceof ConnectException) {
            finish(unavailable("refused the connection"));
        } else {
            finish(unavailable("cannot be reached (" + cause.getMessage() + ")"));
        }
    }

    void answered(AuthResult.Answer answer) {
        connection = null;
        if (!done) {
            finish(answer);
        }
    }

    /**
     * The connection closed before the answer was complete. A pooled connection the service closed
     * just as we reused it (nothing came back) is the keep-alive race: tried once more on a new one.
     */
    void lost(boolean staleReusedConnection) {
        connection = null;
        if (done) {
            return;
        }
        if (staleReusedConnection && !retried) {
            retried = true;
            state.pool.connect(this);
            return;
        }
        finish(new AuthResult.Failure(AuthStats.Outcome.INVALID, HttpResponseStatus.BAD_GATEWAY,
                describe + " closed the connection without answering"));
    }

    void invalid(String why) {
        connection = null;
        if (!done) {
            finish(new AuthResult.Failure(AuthStats.Outcome.INVALID, HttpResponseStatus.BAD_GATEWAY, describe + " " + why));
        }
    }

    private void timedOut() {
        if (done) {
            return;
        }
        AuthConnection c = connection;
        connection = null;
        finish(timeout());
        if (c != null) {
            c.close(); // the answer may still come: this connection cannot be reused
        }
    }

    private AuthResult.Failure timeout() {
        return new AuthResult.Failure(AuthStats.Outcome.TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT,
                describe + " did not answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms");
    }

    private AuthResult.Failure unavailable(String what) {
        return new AuthResult.Failure(AuthStats.Outcome.UNAVAILABLE, HttpResponseStatus.SERVICE_UNAVAILABLE,
                describe + " " + what);
    }

    private void finish(AuthResult result) {
        done = true;
        if (timer != null) {
            timer.cancel(false);
        }
        long elapsed = System.nanoTime() - startNanos;
        if (result instanceof AuthResult.Answer answer) {
            service.stats().called(answer.status(), startNanos);
            if (answer.status() >= 500) {
                service.breaker().onError(elapsed, TimeUnit.NANOSECONDS, new AuthServiceError("answered " + answer.status()));
            } else {
                service.breaker().onSuccess(elapsed, TimeUnit.NANOSECONDS);
            }
        } else {
            service.stats().called(0, startNanos);
            service.breaker().onError(elapsed, TimeUnit.NANOSECONDS,
                    new AuthServiceError(((AuthResult.Failure) result).reason()));
        }
        state.completed(flight, result);
    }

    /** What the circuit breaker is told a failed call was; no stack trace, it is never thrown. */
    static final class AuthServiceError extends Exception {
        AuthServiceError(String message) {
            super(message, null, false, false);
        }
    }
}
