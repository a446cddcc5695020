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
    private long timerAtNanos;

    Deadline(EventExecutor executor, long timeoutNanos, Runnable onExpiry) {
        this.executor = executor;
        this.timeoutNanos = timeoutNanos;
        this.onExpiry = onExpiry;
    }

    /** Starts (or restarts) the full timeout from now. */
    void arm() {
        arm(timeoutNanos);
    }

    /** Starts (or restarts) a timeout of this length from now. */
    void arm(long nanos) {
        armed = true;
        long now = System.nanoTime();
        deadlineNanos = now + nanos;
        if (timer != null && timerAtNanos - deadlineNanos > 0) {
            timer.cancel(false);
            timer = null;
        }
        if (timer == null) {
            schedule(now, nanos);
        }
    }

    private void schedule(long now, long nanos) {
        timerAtNanos = now + nanos;
        timer = executor.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
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
        long now = System.nanoTime();
        long remaining = deadlineNanos - now;
        if (remaining > 0) {
            schedule(now, remaining);
        } else {
            armed = false;
            onExpiry.run();
        }
    }
}
