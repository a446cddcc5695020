package io.hecate.core.internal.upstream.balance;

import io.hecate.core.config.BalanceConfig;
import io.hecate.core.internal.upstream.PickContext;
import io.hecate.core.internal.upstream.Target;
import io.hecate.core.internal.upstream.UpstreamHealth;

import java.util.List;

/**
 * A load-balancing policy over the targets of one upstream snapshot. Implementations are shared by
 * every event loop and take no lock: their state is atomics and immutable tables published
 * through a volatile reference.
 */
public interface Balancer {

    /**
     * A target that is available at {@code nowNanos} (see
     * {@link io.hecate.core.internal.upstream.TargetHealth#available}) and not in {@code tried}, in
     * the policy's order; {@code null} when there is none.
     */
    Target pick(PickContext request, List<Target> tried, long nowNanos);

    BalanceConfig.Policy policy();

    /** The balancer {@code config} asks for, over {@code targets} (which it must not modify). */
    static Balancer of(BalanceConfig config, Target[] targets, UpstreamHealth health) {
        return switch (config.policy()) {
            case ROUND_ROBIN -> new RoundRobinBalancer(targets);
            case LEAST_REQUEST -> new LeastRequestBalancer(targets);
            case RANDOM -> new RandomBalancer(targets);
            case CONSISTENT_HASH -> new MaglevBalancer(targets, config.hashOn(), health);
        };
    }
}
