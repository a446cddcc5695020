package io.hecate.core.internal.upstream;

import io.hecate.core.config.HealthCheckConfig;
import io.hecate.core.config.OutlierDetectionConfig;
import io.hecate.core.config.UpstreamConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Passive health checking on a clock the test moves: counting, ejection, backoff, the cap, return. */
class OutlierDetectionTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(42 * SECOND);
    private final HealthRegistry registry = new HealthRegistry(clock::get);

    private Upstream upstream(UpstreamConfig config) {
        Upstream upstream = new Upstream("app", config, registry.upstream("app"));
        registry.retain(Map.of("app", config));
        return upstream;
    }

    private static UpstreamConfig threeTargets(OutlierDetectionConfig outliers) {
        return UpstreamConfig.of("a:1", "b:1", "c:1").withOutlierDetection(outliers);
    }

    private static void tries(Upstream upstream, Target target, Outcome outcome, int times) {
        for (int i = 0; i < times; i++) {
            upstream.started(target);
            upstream.finished(target, outcome);
        }
    }

    private void advance(long nanos) {
        clock.addAndGet(nanos);
    }

    @Test
    void consecutiveFailuresEjectAndASuccessResetsTheCount() {
        Upstream upstream = upstream(threeTargets(OutlierDetectionConfig.of(3, Duration.ofSeconds(10))));
        Target a = upstream.targets().get(0);

        tries(upstream, a, Outcome.CONNECT_FAILURE, 2);
        tries(upstream, a, Outcome.SUCCESS, 1);
        tries(upstream, a, Outcome.CONNECTION_FAILURE, 2);
        assertThat(a.health().consecutiveFailures()).isEqualTo(2);
        assertThat(a.health().available(clock.get())).isTrue();

        tries(upstream, a, Outcome.TIMEOUT, 1);
        assertThat(a.health().ejectedAt(clock.get())).isTrue();
        assertThat(a.health().ejections()).isEqualTo(1);
        assertThat(a.health().active()).isZero();
        for (int i = 0; i < 100; i++) {
            assertThat(upstream.pick(null, List.of())).isNotEqualTo(a);
        }
    }

    @Test
    void theBackoffGrowsWithEachEjectionUpToTheMaximumAndShrinksWhileHealthy() {
        Upstream upstream = upstream(threeTargets(OutlierDetectionConfig.of(1, Duration.ofSeconds(10))
                .withMaxEjectionTime(Duration.ofSeconds(25))));
        Target a = upstream.targets().get(0);

        tries(upstream, a, Outcome.CONNECT_FAILURE, 1);
        advance(10 * SECOND - 1);
        assertThat(a.health().ejectedAt(clock.get())).as("10s, first ejection").isTrue();
        advance(1);
        assertThat(a.health().available(clock.get())).isTrue();

        tries(upstream, a, Outcome.CONNECT_FAILURE, 1);
        advance(20 * SECOND - 1);
        assertThat(a.health().ejectedAt(clock.get())).as("20s, second ejection").isTrue();
        advance(1);
        assertThat(a.health().available(clock.get())).isTrue();

        tries(upstream, a, Outcome.CONNECT_FAILURE, 1);
        advance(25 * SECOND - 1);
        assertThat(a.health().ejectedAt(clock.get())).as("30s capped at 25s").isTrue();
        advance(1);
        assertThat(a.health().available(clock.get())).isTrue();

        // Healthy for 30s: the multiplier (3) drops by 3, so the next ejection is the base again.
        advance(30 * SECOND);
        tries(upstream, a, Outcome.CONNECT_FAILURE, 1);
        advance(10 * SECOND);
        assertThat(a.health().available(clock.get())).isTrue();
        assertThat(a.health().ejections()).isEqualTo(4);
    }

    @Test
    void neverEjectsMoreThanTheMaximumPercent() {
        Upstream upstream = upstream(UpstreamConfig.of("a:1", "b:1", "c:1", "d:1")
                .withOutlierDetection(OutlierDetectionConfig.of(1, Duration.ofSeconds(10))));
        for (Target target : upstream.targets()) {
            tries(upstream, target, Outcome.CONNECT_FAILURE, 3);
        }
        long now = clock.get();
        assertThat(upstream.targets()).filteredOn(t -> t.health().ejectedAt(now)).hasSize(2);
        assertThat(upstream.targets()).filteredOn(t -> t.health().available(now)).hasSize(2);

        // Once one returns, another failing target may take its place.
        advance(10 * SECOND);
        Target stillFailing = upstream.targets().get(3);
        tries(upstream, stillFailing, Outcome.CONNECT_FAILURE, 1);
        assertThat(stillFailing.health().ejectedAt(clock.get())).isTrue();
    }

    @Test
    void aSingleTargetIsNeverEjectedByTheDefaultPercent() {
        Upstream upstream = upstream(UpstreamConfig.of("a:1"));
        Target a = upstream.targets().get(0);
        tries(upstream, a, Outcome.CONNECT_FAILURE, 20);
        assertThat(a.health().available(clock.get())).isTrue();
        assertThat(upstream.pick(null, List.of())).isEqualTo(a);
    }

    @Test
    void fiveHundredsCountUnlessSwitchedOffAndCancelledTriesNeverCount() {
        Upstream counting = upstream(threeTargets(OutlierDetectionConfig.of(2, Duration.ofSeconds(10))));
        Target a = counting.targets().get(0);
        tries(counting, a, Outcome.SERVER_ERROR, 2);
        assertThat(a.health().ejectedAt(clock.get())).isTrue();

        HealthRegistry other = new HealthRegistry(clock::get);
        UpstreamConfig config = threeTargets(OutlierDetectionConfig.of(2, Duration.ofSeconds(10)).withCount5xx(false));
        Upstream notCounting = new Upstream("app", config, other.upstream("app"));
        Target b = notCounting.targets().get(1);
        tries(notCounting, b, Outcome.CONNECT_FAILURE, 1);
        tries(notCounting, b, Outcome.SERVER_ERROR, 1);
        assertThat(b.health().consecutiveFailures()).as("a 5xx is then a success").isZero();
        tries(notCounting, b, Outcome.CONNECT_FAILURE, 1);
        tries(notCounting, b, Outcome.CANCELLED, 5);
        assertThat(b.health().consecutiveFailures()).isEqualTo(1);
        assertThat(b.health().active()).isZero();
    }

    @Test
    void outlierDetectionOffNeverEjects() {
        Upstream upstream = upstream(threeTargets(OutlierDetectionConfig.DISABLED));
        Target a = upstream.targets().get(0);
        tries(upstream, a, Outcome.CONNECT_FAILURE, 50);
        assertThat(a.health().available(clock.get())).isTrue();
        assertThat(a.health().ejections()).isZero();
    }

    @Test
    void withActiveChecksAnEjectedTargetReturnsOnlyAfterAPassingCheckOnceTheBackoffIsOver() {
        HealthCheckConfig checks = HealthCheckConfig.of("/healthz");
        Upstream upstream = upstream(threeTargets(OutlierDetectionConfig.of(1, Duration.ofSeconds(10)))
                .withHealthCheck(checks));
        Target a = upstream.targets().get(0);
        tries(upstream, a, Outcome.CONNECT_FAILURE, 1);

        a.health().recordCheck(true, "200", null, checks, clock.get());
        advance(10 * SECOND);
        assertThat(a.health().ejectedAt(clock.get())).as("backoff over, no check since").isTrue();
        assertThat(a.health().awaitingCheck()).isTrue();
        a.health().recordCheck(false, null, "connection refused", checks, clock.get());
        assertThat(a.health().ejectedAt(clock.get())).isTrue();
        a.health().recordCheck(true, "200", null, checks, clock.get());
        assertThat(a.health().available(clock.get())).isTrue();
    }

    @Test
    void activeCheckThresholdsMoveTheVerdict() {
        HealthCheckConfig checks = HealthCheckConfig.of("/healthz").withThresholds(2, 3);
        Upstream upstream = upstream(threeTargets(OutlierDetectionConfig.DEFAULT).withHealthCheck(checks));
        TargetHealth a = upstream.targets().get(0).health();
        long generation = upstream.health().generation();

        a.recordCheck(false, "503", "unexpected status 503", checks, clock.get());
        a.recordCheck(false, null, "timed out", checks, clock.get());
        assertThat(a.checkHealthy()).isTrue();
        a.recordCheck(false, null, "timed out", checks, clock.get());
        assertThat(a.checkHealthy()).isFalse();
        assertThat(upstream.health().generation()).isGreaterThan(generation);
        a.recordCheck(true, "200", null, checks, clock.get());
        assertThat(a.checkHealthy()).isFalse();
        a.recordCheck(true, "200", null, checks, clock.get());
        assertThat(a.checkHealthy()).isTrue();
        assertThat(a.lastCheckResult()).isEqualTo("200");
    }

    @Test
    void aTargetThatStartsUnhealthyWaitsForItsChecks() {
        HealthCheckConfig checks = HealthCheckConfig.of("/healthz").withThresholds(1, 1).withStartHealthy(false);
        Upstream upstream = upstream(threeTargets(OutlierDetectionConfig.DEFAULT).withHealthCheck(checks));
        assertThat(upstream.pick(null, List.of())).isNull();
        upstream.targets().get(1).health().recordCheck(true, "204", null, checks, clock.get());
        assertThat(upstream.pick(null, List.of())).isEqualTo(upstream.targets().get(1));

        // Checks turned off: their verdicts no longer hold anyone back.
        registry.retain(Map.of("app", threeTargets(OutlierDetectionConfig.DEFAULT)));
        assertThat(upstream.targets()).allSatisfy(t -> assertThat(t.health().available(clock.get())).isTrue());
    }

    @Test
    void theRegistryKeepsStatesOfTargetsThatStayAndForgetsRemovedOnes() {
        UpstreamConfig config = threeTargets(OutlierDetectionConfig.of(1, Duration.ofMinutes(1)));
        Upstream first = upstream(config);
        tries(first, first.targets().get(0), Outcome.CONNECT_FAILURE, 1);

        Upstream second = upstream(config);
        assertThat(second.targets().get(0).health()).isSameAs(first.targets().get(0).health());
        assertThat(second.targets().get(0).health().ejectedAt(clock.get())).isTrue();

        registry.retain(Map.of("app", UpstreamConfig.of("b:1", "c:1")));
        Upstream readded = upstream(config);
        assertThat(readded.targets().get(0).health()).isNotSameAs(first.targets().get(0).health());
        assertThat(readded.targets().get(0).health().available(clock.get())).isTrue();
        assertThat(readded.targets().get(1).health()).isSameAs(first.targets().get(1).health());
    }
}
