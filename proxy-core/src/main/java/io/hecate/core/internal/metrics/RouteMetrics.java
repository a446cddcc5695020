package io.hecate.core.internal.metrics;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Requests, bytes and latency of one route; written from every event loop without locks. */
public final class RouteMetrics {

    private static final long MAX_TRACKED_MICROS = TimeUnit.HOURS.toMicros(1);

    private final String routeId;
    /** Index = status / 100 (1..5); 0 counts exchanges that ended without a status (client gone). */
    private final LongAdder[] byStatusClass = new LongAdder[6];
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(MAX_TRACKED_MICROS, 2);

    RouteMetrics(String routeId) {
        this.routeId = routeId;
        for (int i = 0; i < byStatusClass.length; i++) {
            byStatusClass[i] = new LongAdder();
        }
    }

    public String routeId() {
        return routeId;
    }

    public void record(int status, long micros, long in, long out) {
        int statusClass = status / 100;
        byStatusClass[statusClass >= 1 && statusClass <= 5 ? statusClass : 0].increment();
        bytesIn.add(in);
        bytesOut.add(out);
        latencyMicros.recordValue(Math.min(Math.max(micros, 0), MAX_TRACKED_MICROS));
    }

    long requests(int statusClass) {
        return byStatusClass[statusClass].sum();
    }

    long bytesIn() {
        return bytesIn.sum();
    }

    long bytesOut() {
        return bytesOut.sum();
    }

    Histogram latencySnapshot() {
        return latencyMicros.copy();
    }
}
