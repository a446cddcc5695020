package io.hecate.core.internal.upstream.balance;

import io.hecate.core.config.BalanceConfig;
import io.hecate.core.internal.upstream.PickContext;
import io.hecate.core.internal.upstream.Target;

import java.util.List;

/**
 * Least request by the power of two choices: two distinct candidates are drawn by weight, and the
 * one with fewer tries in flight per unit of weight wins (on a tie, the first drawn). Idle
 * targets are therefore picked in proportion to their weights, and a loaded one loses to almost
 * any other. Reads one atomic counter per candidate; no lock, no scan of every target.
 */
final class LeastRequestBalancer implements Balancer {

    private final WeightedSampler sampler;

    LeastRequestBalancer(Target[] targets) {
        this.sampler = new WeightedSampler(targets);
    }

    @Override
    public Target pick(PickContext request, List<Target> tried, long nowNanos) {
        Target first = sampler.draw(tried, nowNanos, null);
        if (first == null) {
            return null;
        }
        Target second = sampler.draw(tried, nowNanos, first);
        if (second == null) {
            return first;
        }
        // first.active / first.weight  vs  second.active / second.weight, without division.
        long firstLoad = (long) first.health().active() * second.weight();
        long secondLoad = (long) second.health().active() * first.weight();
        return secondLoad < firstLoad ? second : first;
    }

    @Override
    public BalanceConfig.Policy policy() {
        return BalanceConfig.Policy.LEAST_REQUEST;
    }
}
