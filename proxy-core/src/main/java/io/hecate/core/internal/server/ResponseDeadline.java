package io.hecate.core.internal.server;

import io.netty.util.concurrent.EventExecutor;

import java.util.function.Supplier;

/**
 * The wait for a try's response head, for the exchanges of one downstream (an HTTP/1.1
 * connection's in turn, or an HTTP/2 stream's one): a single lazily created {@link Deadline},
 * re-armed per try rather than a timer scheduled per try.
 */
final class ResponseDeadline {

    private final EventExecutor executor;
    private final Supplier<Exchange> exchange;
    private Deadline deadline;

    /** @param exchange the exchange waiting when the deadline passes, if any */
    ResponseDeadline(EventExecutor executor, Supplier<Exchange> exchange) {
        this.executor = executor;
        this.exchange = exchange;
    }

    void arm(long nanos) {
        if (deadline == null) {
            deadline = new Deadline(executor, 0, () -> {
                Exchange waiting = exchange.get();
                if (waiting != null) {
                    waiting.onTryTimeout();
                }
            });
        }
        deadline.arm(nanos);
    }

    void disarm() {
        if (deadline != null) {
            deadline.disarm();
        }
    }

    void cancel() {
        if (deadline != null) {
            deadline.cancel();
        }
    }
}
