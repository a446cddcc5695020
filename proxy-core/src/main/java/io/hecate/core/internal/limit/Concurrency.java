package io.hecate.core.internal.limit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The requests in flight to one upstream name and what its admission refused, kept across reloads
 * (a reload that changes the limit must not forget the requests already in flight).
 *
 * <p>The bulkhead is a plain counter rather than a semaphore: {@link #tryAcquire} is one
 * compare-and-set loop that never waits, a new limit from a reload applies to the same count at
 * once, and the count doubles as the {@code active_requests} gauge.
 */
public final class Concurrency {

    private final AtomicInteger active = new AtomicInteger();
    final LongAdder rejectedConcurrency = new LongAdder();
    final LongAdder rejectedCircuitOpen = new LongAdder();

    /** Takes a place unless {@code max} are taken; {@code max} 0 means no limit. Never waits. */
    boolean tryAcquire(int max) {
        if (max <= 0) {
            active.incrementAndGet();
            return true;
        }
        while (true) {
            int now = active.get();
            if (now >= max) {
                return false;
            }
            if (active.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        active.decrementAndGet();
    }

    public int active() {
        return active.get();
    }

    public long rejectedConcurrency() {
        return rejectedConcurrency.sum();
    }

    public long rejectedCircuitOpen() {
        return rejectedCircuitOpen.sum();
    }
}
