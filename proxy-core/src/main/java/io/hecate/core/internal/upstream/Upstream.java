package io.hecate.core.internal.upstream;

import io.hecate.core.config.OutlierDetectionConfig;
import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.internal.limit.UpstreamAdmission;
import io.hecate.core.internal.upstream.balance.Balancer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A named upstream of one route snapshot: its targets, its balancing policy and its settings. The
 * targets' health lives in an {@link UpstreamHealth} shared with the other snapshots that have
 * this upstream, so it survives reloads. Every method may be called from any event loop at once
 * and takes no lock.
 */
public final class Upstream {

    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);

    private static final PickContext NO_REQUEST = new PickContext() {
        @Override
        public String header(CharSequence name) {
            return null;
        }

        @Override
        public String cookie(String name) {
            return null;
        }

        @Override
        public String clientAddress() {
            return null;
        }
    };

    private final String name;
    private final Target[] targets;
    private final UpstreamConfig config;
    private final UpstreamHealth health;
    private final Balancer balancer;
    private final UpstreamAdmission admission;

    /** An upstream whose health belongs to it alone (no registry; as in unit tests). */
    public Upstream(String name, UpstreamConfig config) {
        this(name, config, standaloneHealth(name, config));
    }

    /** @param health the registry's health of upstream {@code name}; the targets' states come from it */
    public Upstream(String name, UpstreamConfig config, UpstreamHealth health) {
        this(name, config, health, UpstreamAdmission.of(name, config));
    }

    /**
     * @param health    the registry's health of upstream {@code name}; the targets' states come from it
     * @param admission the upstream's circuit breaker and bulkhead, kept across snapshots
     */
    public Upstream(String name, UpstreamConfig config, UpstreamHealth health, UpstreamAdmission admission) {
        this.name = name;
        this.admission = admission;
        this.config = config;
        this.health = health;
        List<TargetConfig> configured = config.targets();
        this.targets = new Target[configured.size()];
        for (int i = 0; i < targets.length; i++) {
            TargetConfig target = configured.get(i);
            targets[i] = Target.parse(target.address(), target.weight(),
                    health.target(target.address(), config.healthCheck()));
        }
        this.balancer = Balancer.of(config.balance(), targets, health);
    }

    private static UpstreamHealth standaloneHealth(String name, UpstreamConfig config) {
        UpstreamHealth health = new UpstreamHealth(name, System::nanoTime);
        health.activeChecks(config.healthCheck() != null);
        return health;
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

    public UpstreamHealth health() {
        return health;
    }

    public Balancer balancer() {
        return balancer;
    }

    /** Consulted once per request, before its first try: the circuit breaker and the bulkhead. */
    public UpstreamAdmission admission() {
        return admission;
    }

    /**
     * Chooses a target for one try: a healthy one not in {@code tried} if there is any, else any
     * healthy one (so a single-target upstream can still be retried), else {@code null}.
     */
    public Target pick(PickContext request, List<Target> tried) {
        long now = health.now();
        Target picked = balancer.pick(request, tried, now);
        if (picked == null && !tried.isEmpty()) {
            picked = balancer.pick(request, List.of(), now);
        }
        return picked;
    }

    /** A try against {@code target} starts (least-request counts the tries in flight). */
    public void started(Target target) {
        target.health().started();
    }

    /**
     * A try against {@code target} ended; feeds passive health checking. Failures of a target that
     * is already ejected (tries that were in flight when it was) are not counted again.
     */
    public void finished(Target target, Outcome outcome) {
        TargetHealth state = target.health();
        state.ended();
        OutlierDetectionConfig outliers = config.outlierDetection();
        if (!outliers.enabled()) {
            return;
        }
        boolean failure;
        switch (outcome) {
            case CONNECT_FAILURE, CONNECTION_FAILURE, TIMEOUT -> failure = true;
            case SERVER_ERROR -> failure = outliers.count5xx();
            case SUCCESS -> failure = false;
            default -> {
                return;
            }
        }
        if (!failure) {
            state.succeeded();
            return;
        }
        long now = health.now();
        if (state.ejectedAt(now)) {
            return;
        }
        int failures = state.failed();
        if (failures >= outliers.consecutiveFailures() && health.tryEject(state, targets, outliers, now)) {
            LOG.warn("upstream {} target {} ejected for {}ms after {} consecutive failures (last: {})", name,
                    target.key(), Math.max(0, (state.ejectedUntilMillis(now) - System.currentTimeMillis())),
                    failures, outcome);
        }
    }

    /** The next target for a request that carries no hash key (tests). */
    Target next() {
        return pick(NO_REQUEST, List.of());
    }
}
