package io.hecate.bench;

import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.internal.upstream.PickContext;
import io.hecate.core.internal.upstream.Target;
import io.hecate.core.internal.upstream.Upstream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;

/** Picking a target of an upstream of 3 or 32 weighted targets, as one try of an exchange does. */
@State(Scope.Benchmark)
public class BalancerPickBenchmark {

    @Param({"3", "32"})
    int targets;

    private Upstream upstream;
    private final PickContext request = new PickContext() {
        @Override
        public String header(CharSequence name) {
            return "user-42";
        }

        @Override
        public String cookie(String name) {
            return null;
        }

        @Override
        public String clientAddress() {
            return "192.0.2.10";
        }
    };

    @Setup
    public void build() {
        TargetConfig[] configured = new TargetConfig[targets];
        for (int i = 0; i < targets; i++) {
            configured[i] = new TargetConfig("10.0.0." + (i + 1) + ":8080", 1 + i % 3);
        }
        upstream = new Upstream("app", UpstreamConfig.of(configured));
    }

    @Benchmark
    public Target pick() {
        Target target = upstream.pick(request, List.of());
        upstream.started(target);
        upstream.finished(target, io.hecate.core.internal.upstream.Outcome.SUCCESS);
        return target;
    }
}
