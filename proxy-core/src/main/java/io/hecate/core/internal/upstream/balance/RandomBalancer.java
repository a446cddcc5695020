package io.hecate.core.internal.upstream.balance;

import io.hecate.core.config.BalanceConfig;
import io.hecate.core.internal.upstream.PickContext;
import io.hecate.core.internal.upstream.Target;

import java.util.List;

/** A target drawn at random in proportion to its weight, among those available and not tried. */
final class RandomBalancer implements Balancer {

    private final WeightedSampler sampler;

    RandomBalancer(Target[] targets) {
        this.sampler = new WeightedSampler(targets);
    }

    @Override
    public Target pick(PickContext request, List<Target> tried, long nowNanos) {
        return sampler.draw(tried, nowNanos, null);
    }

    @Override
    public BalanceConfig.Policy policy() {
        return BalanceConfig.Policy.RANDOM;
    }
}
