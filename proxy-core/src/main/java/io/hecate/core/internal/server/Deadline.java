package io.hecate.core.internal.server;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * A timeout that is re-armed often (per request, per body part) without a timer per arming: one
 * scheduled check at a time, moved lazily when it fires early. Used only from its event loop.
 */
final class Deadline {

    private final EventExecutor executor;
    private final long timeoutNanos;
    private final Runnable onExpiry;
    private boolean armed;
    private long deadlineNanos;
    private ScheduledFuture<?> timer;

    Deadline(EventExecutor executor, long timeoutNanos, Runnable onExpiry) {
        this.executor = executor;
        this.timeoutNanos = timeoutNanos;
        this.onExpiry = onExpiry;
    }

    /** Starts (or restarts) the full timeout from now. */
    void arm() {
        armed = true;
        deadlineNanos = System.nanoTime() + timeoutNanos;
        if (timer == null) {
            timer = executor.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops counting; the pending check, if any, finds nothing to do. */
    void disarm() {
        armed = false;
    }

    /** Stops counting and drops the pending check, for good. */
    void cancel() {
        armed = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        timer = null;
        if (!armed) {
            return;
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining > 0) {
            timer = executor.schedule(this::check, remaining, TimeUnit.NANOSECONDS);
        } else {
            armed = false;
            onExpiry.run();
        }
    }
}
