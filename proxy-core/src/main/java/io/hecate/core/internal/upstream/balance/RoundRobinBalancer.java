package io.hecate.core.internal.upstream.balance;

import io.hecate.core.config.BalanceConfig;
import io.hecate.core.internal.upstream.PickContext;
import io.hecate.core.internal.upstream.Target;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Smooth weighted round-robin: one shared atomic cursor over a precomputed cycle. A target that is
 * down or already tried is passed over for the next one in the cycle, so its share goes to the
 * others in cycle order.
 */
final class RoundRobinBalancer implements Balancer {

    private final Target[] targets;
    private final int[] schedule;
    private final AtomicInteger cursor = new AtomicInteger();

    RoundRobinBalancer(Target[] targets) {
        this.targets = targets;
        int[] weights = new int[targets.length];
        for (int i = 0; i < targets.length; i++) {
            weights[i] = targets[i].weight();
        }
        this.schedule = targets.length == 0 ? new int[0] : WeightedSchedule.of(weights);
    }

    @Override
    public Target pick(PickContext request, List<Target> tried, long nowNanos) {
        int length = schedule.length;
        if (length == 0) {
            return null;
        }
        int start = Math.floorMod(cursor.getAndIncrement(), length);
        // The cycle holds every target, so one lap finds an eligible one if there is any.
        for (int step = 0; step < length; step++) {
            Target candidate = targets[schedule[(start + step) % length]];
            if (Candidates.eligible(candidate, tried, nowNanos)) {
                return candidate;
            }
        }
        return null;
    }

    @Override
    public BalanceConfig.Policy policy() {
        return BalanceConfig.Policy.ROUND_ROBIN;
    }
}
