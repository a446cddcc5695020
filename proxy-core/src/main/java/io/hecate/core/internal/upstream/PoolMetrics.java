package io.hecate.core.internal.upstream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Open and idle upstream connections per target, summed over every event loop's pool. */
public final class PoolMetrics {

    private final Map<String, Gauges> byTarget = new ConcurrentHashMap<>();

    Gauges of(String targetKey) {
        return byTarget.computeIfAbsent(targetKey, k -> new Gauges());
    }

    public Map<String, Gauges> byTarget() {
        return byTarget;
    }

    /** Counters for one target. */
    public static final class Gauges {
        final LongAdder open = new LongAdder();
        final LongAdder idle = new LongAdder();
        final LongAdder opened = new LongAdder();
        final LongAdder reused = new LongAdder();

        public long open() {
            return open.sum();
        }

        public long idle() {
            return idle.sum();
        }

        public long opened() {
            return opened.sum();
        }

        public long reused() {
            return reused.sum();
        }
    }
}
