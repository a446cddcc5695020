package io.hecate.core.internal.upstream;

import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A named upstream of one route snapshot: its targets, their schedule and its settings. */
public final class Upstream {

    private final String name;
    private final Target[] targets;
    private final int[] schedule;
    private final AtomicInteger cursor = new AtomicInteger();
    private final UpstreamConfig config;

    public Upstream(String name, UpstreamConfig config) {
        this.name = name;
        this.config = config;
        List<TargetConfig> configured = config.targets();
        this.targets = new Target[configured.size()];
        int[] weights = new int[targets.length];
        for (int i = 0; i < targets.length; i++) {
            TargetConfig target = configured.get(i);
            targets[i] = Target.parse(target.address(), target.weight());
            weights[i] = target.weight();
        }
        this.schedule = WeightedSchedule.of(weights);
    }

    public String name() {
        return name;
    }

    public UpstreamConfig config() {
        return config;
    }

    public List<Target> targets() {
        return List.of(targets);
    }

    /** The next target by smooth weighted round-robin; {@code null} when there is none. */
    public Target next() {
        if (targets.length <= 1) {
            return targets.length == 0 ? null : targets[0];
        }
        int pick = Math.floorMod(cursor.getAndIncrement(), schedule.length);
        return targets[schedule[pick]];
    }
}
