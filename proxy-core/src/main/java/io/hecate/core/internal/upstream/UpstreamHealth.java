package io.hecate.core.internal.upstream;

import io.hecate.core.config.HealthCheckConfig;
import io.hecate.core.config.OutlierDetectionConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The health of every target of one upstream name, across snapshots. Besides the targets' states
 * it holds a generation number that moves whenever a target's availability changes by an event
 * (an ejection, an active check verdict), so balancers that precompute over the available set
 * (Maglev) know when to rebuild; an ejection that simply runs out is seen by its expiry time.
 */
public final class UpstreamHealth {

    private final String name;
    private final LongSupplier clock;
    private final Map<String, TargetHealth> targets = new ConcurrentHashMap<>();
    private final AtomicBoolean ejecting = new AtomicBoolean();
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean activeChecks;

    public UpstreamHealth(String name, LongSupplier clock) {
        this.name = name;
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    /** The clock of health decisions, in {@link System#nanoTime()} units. */
    public long now() {
        return clock.getAsLong();
    }

    /**
     * The state of the target at {@code address}, made on first use: up unless active checks are
     * configured to hold a new target back until its first checks pass.
     */
    public TargetHealth target(String address, HealthCheckConfig checks) {
        return targets.computeIfAbsent(address,
                a -> new TargetHealth(this, a, checks == null || checks.startHealthy()));
    }

    /** The current states, by address. */
    public Map<String, TargetHealth> targets() {
        return targets;
    }

    /** Whether the applied configuration has active checks for this upstream. */
    public boolean activeChecks() {
        return activeChecks;
    }

    /** Set when a configuration is applied (the registry does it; tests may too). */
    public void activeChecks(boolean on) {
        if (activeChecks != on) {
            activeChecks = on;
            changed();
        }
    }

    public long generation() {
        return generation.get();
    }

    void changed() {
        generation.incrementAndGet();
    }

    void retainOnly(java.util.Set<String> addresses) {
        targets.keySet().retainAll(addresses);
    }

    /**
     * Ejects {@code target} unless it already is or ejecting it would put more than
     * {@code maxEjectionPercent} of {@code peers} out. Never blocks: when another thread is deciding
     * an ejection of this upstream right now, this one gives up, and the target's next failure
     * tries again.
     *
     * @return whether the target was ejected
     */
    boolean tryEject(TargetHealth target, Target[] peers, OutlierDetectionConfig config, long nowNanos) {
        if (!ejecting.compareAndSet(false, true)) {
            return false;
        }
        try {
            if (target.ejectedAt(nowNanos)) {
                return false;
            }
            int ejectedNow = 0;
            for (Target peer : peers) {
                if (peer.health() != target && peer.health().ejectedAt(nowNanos)) {
                    ejectedNow++;
                }
            }
            long allowed = (long) peers.length * config.maxEjectionPercent() / 100;
            if (ejectedNow + 1 > allowed) {
                return false;
            }
            target.eject(nowNanos, config.baseEjectionTime().toNanos(), config.maxEjectionTime().toNanos());
            changed();
            return true;
        } finally {
            ejecting.set(false);
        }
    }
}
