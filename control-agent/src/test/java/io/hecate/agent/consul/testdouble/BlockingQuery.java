package io.hecate.agent.consul.testdouble;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The {@code ?index=&wait=} parameters of "Blocking Queries"
 * (https://developer.hashicorp.com/consul/api-docs/features/blocking): without an index (or with 0) a
 * read answers at once; with one it waits for a result whose index is greater, at most {@code wait}
 * (default 5 minutes, capped at 10), plus a random jitter of up to wait/16 as Consul adds "to spread out
 * the wake up time of any concurrent requests". A malformed wait or index is a 400, worded as Consul does.
 */
record BlockingQuery(long minIndex, long waitNanos) {

    static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);

    static BlockingQuery of(ApiRequest request) {
        Duration wait = DEFAULT_WAIT;
        String w = request.param("wait");
        if (w != null && !w.isEmpty()) {
            try {
                wait = Durations.parse(w);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("Invalid wait time");
            }
        }
        long index = 0;
        String i = request.param("index");
        if (i != null && !i.isEmpty()) {
            try {
                index = Long.parseUnsignedLong(i);
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("Invalid index");
            }
        }
        if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        } else if (wait.isNegative() || wait.isZero()) {
            wait = DEFAULT_WAIT;
        }
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, wait.toNanos() / 16));
        return new BlockingQuery(index, wait.toNanos() + jitter);
    }

    /** Runs the read, parking the request thread while Consul would. */
    <T> T run(RaftState state, ApiRequest request, Supplier<T> query, ToLongFunction<T> indexOf) {
        return state.block(minIndex, waitNanos, request.generation(), query, indexOf);
    }
}
