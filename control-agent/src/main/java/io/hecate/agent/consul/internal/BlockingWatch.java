package io.hecate.agent.consul.internal;

import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Follows one Consul query with blocking queries on a thread of its own, as Consul's documentation
 * on blocking queries asks: the next query waits on the index the last answer carried; an index
 * that went backwards (Consul restarted or restored) starts over from 0; an index of 0 is treated
 * as 1; after an error the next query asks for the current state at once (so a Consul that comes
 * back is caught up without waiting a whole {@code wait}), preceded by a backoff with jitter.
 *
 * @param <T> what the query answers
 */
public final class BlockingWatch<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BlockingWatch.class);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** What a watch reports to its owner. */
    public interface Listener<T> {
        /** A new answer (also the first one, and every answer after an index reset). */
        void changed(T value, long index);

        /** The query failed; the last answer given is still the latest known. */
        void failed(ConsulUnavailableException error);
    }

    private final String what;
    private final ConsulConnection consul;
    private final Function<QueryParams, Response<T>> query;
    private final Listener<T> listener;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param what  names the query in logs and status, e.g. {@code kv hecate/routes/}
     * @param query runs the query with the given parameters (blocking or not)
     */
    public BlockingWatch(String what, ConsulConnection consul, Function<QueryParams, Response<T>> query,
                         Listener<T> listener) {
        this.what = what;
        this.consul = consul;
        this.query = query;
        this.listener = listener;
        this.thread = new Thread(this::run, "consul-watch " + what);
        thread.setDaemon(true);
    }

    public BlockingWatch<T> start() {
        thread.start();
        return this;
    }

    public String what() {
        return what;
    }

    private void run() {
        long index = 0;
        boolean recovering = true;
        boolean failing = false;
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            try {
                QueryParams params = recovering || index == 0 ? consul.now() : consul.after(index);
                Response<T> answer = consul.call(what, () -> query.apply(params));
                long next = answer.getConsulIndex() == null ? 0 : Math.max(1, answer.getConsulIndex());
                if (closed) {
                    return;
                }
                if (next < index) {
                    LOG.info("Consul index of {} went backwards ({} -> {}): Consul restarted or was restored;"
                            + " starting over", what, index, next);
                }
                if (failing) {
                    LOG.info("Consul answers {} again", what);
                    failing = false;
                }
                if (next != index || recovering) {
                    listener.changed(answer.getValue(), next);
                }
                index = next;
                recovering = false;
                backoff = FIRST_BACKOFF;
            } catch (ConsulUnavailableException e) {
                if (closed) {
                    return;
                }
                if (!failing) {
                    LOG.warn("{}; serving what it last answered until it answers again", e.getMessage());
                    failing = true;
                }
                listener.failed(e);
                recovering = true;
                sleep(jittered(backoff));
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                // A bug in handling an answer must not end the watch: the next answer may be fine.
                LOG.error("watching {} failed", what, e);
                recovering = true;
                sleep(jittered(backoff));
            }
        }
    }

    /** Between half and all of {@code backoff}, so that nodes that lost Consul together do not return together. */
    static Duration jittered(Duration backoff) {
        long millis = backoff.toMillis();
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops following; a query in flight is abandoned (its answer is ignored). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
