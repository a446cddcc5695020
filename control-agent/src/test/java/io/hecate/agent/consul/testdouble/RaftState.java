package io.hecate.agent.consul.testdouble;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The double's stand-in for Consul's replicated state machine: one lock guarding every store, the Raft
 * index that each write consumes, and the wake-up signal that parked blocking queries wait on.
 *
 * <p>Follows "Blocking Queries" (https://developer.hashicorp.com/consul/api-docs/features/blocking): a
 * query with {@code ?index=N} waits until the index of its own result is greater than N, or until its wait
 * time elapses. Every committed write wakes every parked query, which then recomputes its result and goes
 * back to sleep unless its own index moved — so a write elsewhere never releases it early.
 *
 * <p>Simplification: there is a single "server"; every write is applied at once (no replication, no
 * stale reads), and the index starts at 1 rather than at whatever a real cluster's bootstrap reached.
 */
final class RaftState {

    /** Thrown to a parked blocking query when the double stops listening: its connection is already gone. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("the Consul double stopped", null, false, false);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long index = 1;
    private long generation;

    /** Runs {@code op} under the state lock; wakes parked queries if it advanced the index. */
    <T> T atomically(Supplier<T> op) {
        lock.lock();
        long before = index;
        try {
            return op.get();
        } finally {
            if (index != before) {
                changed.signalAll();
            }
            lock.unlock();
        }
    }

    /** A write: one Raft log entry, whose index {@code op} receives. */
    <T> T write(LongFunction<T> op) {
        return atomically(() -> op.apply(nextIndex()));
    }

    /** Allocates the next Raft index; callers hold the lock (inside {@link #atomically}). */
    long nextIndex() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("nextIndex() outside atomically()");
        }
        return ++index;
    }

    long index() {
        return atomically(() -> index);
    }

    /** Sets the index after a renumbering (restart with a reset index); callers hold the lock. */
    void resetIndex(long value) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("resetIndex() outside atomically()");
        }
        index = Math.max(1, value);
    }

    /** The current listening generation, taken when a request arrives. */
    long generation() {
        return atomically(() -> generation);
    }

    /** Releases every parked blocking query of the current generation with {@link Stopped}. */
    void abortWaiters() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code query} until its index exceeds {@code minIndex} or {@code waitNanos} elapse (Consul's
     * blocking loop); with {@code minIndex} 0 it answers at once. Indexes below 1 are reported as 1, as
     * Consul does, so that a client never spins on index 0.
     */
    <T> T block(long minIndex, long waitNanos, long requestGeneration, Supplier<T> query, ToLongFunction<T> indexOf) {
        lock.lock();
        try {
            long deadline = System.nanoTime() + waitNanos;
            while (true) {
                if (requestGeneration != generation) {
                    throw new Stopped();
                }
                T result = query.get();
                long remaining = deadline - System.nanoTime();
                if (minIndex <= 0 || Math.max(1, indexOf.applyAsLong(result)) > minIndex || remaining <= 0) {
                    return result;
                }
                try {
                    changed.awaitNanos(Math.min(remaining, TimeUnit.SECONDS.toNanos(1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Stopped();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
