package io.hecate.core.internal.upstream;

import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The health of every target of a running proxy, keyed by upstream name and target address. The
 * snapshot compiler hands each new {@link Upstream} the states of its targets from here, so a
 * reload keeps the health (ejections, check verdicts, counters) of targets it did not change.
 * {@link #retain} drops the states of targets the applied configuration no longer has, so a target
 * removed and later added back starts fresh.
 */
public final class HealthRegistry {

    private final LongSupplier clock;
    private final Map<String, UpstreamHealth> upstreams = new ConcurrentHashMap<>();

    public HealthRegistry() {
        this(System::nanoTime);
    }

    /** @param clock time in {@link System#nanoTime()} units (tests pass their own) */
    public HealthRegistry(LongSupplier clock) {
        this.clock = clock;
    }

    public long now() {
        return clock.getAsLong();
    }

    public UpstreamHealth upstream(String name) {
        return upstreams.computeIfAbsent(name, n -> new UpstreamHealth(n, clock));
    }

    public Collection<UpstreamHealth> upstreams() {
        return upstreams.values();
    }

    /**
     * Called once a configuration is applied: forgets upstreams and targets it no longer has, and
     * clears the active-check verdicts of upstreams that no longer have active checks.
     */
    public void retain(Map<String, UpstreamConfig> applied) {
        upstreams.keySet().retainAll(applied.keySet());
        applied.forEach((name, config) -> {
            UpstreamHealth health = upstreams.get(name);
            if (health == null) {
                return;
            }
            Set<String> addresses = new HashSet<>();
            for (TargetConfig target : config.targets()) {
                addresses.add(target.address());
            }
            health.retainOnly(addresses);
            health.activeChecks(config.healthCheck() != null);
            if (config.healthCheck() == null) {
                health.targets().values().forEach(TargetHealth::forgetChecks);
            }
        });
    }
}
