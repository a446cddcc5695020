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

    /**
     * Chooses a target for one try: a healthy one not in {@code tried} if there is any, else any
     * healthy one (so a single-target upstream can still be retried), else {@code null}.
     */
    public Target pick(PickContext request, java.util.List<Target> tried) {
        if (targets.length == 0) {
            return null;
        }
        for (int attempt = 0; attempt < targets.length; attempt++) {
            Target candidate = next();
            if (!tried.contains(candidate)) {
                return candidate;
            }
        }
        return next();
    }

    /** A try against {@code target} starts (least-request counts the tries in flight). */
    public void started(Target target) {
    }

    /** A try against {@code target} ended; feeds passive health checking. */
    public void finished(Target target, Outcome outcome) {
    }

    /** The next target by smooth weighted round-robin; {@code null} when there is none. */
    Target next() {
        if (targets.length <= 1) {
            return targets.length == 0 ? null : targets[0];
        }
        int pick = Math.floorMod(cursor.getAndIncrement(), schedule.length);
        return targets[schedule[pick]];
    }
}
