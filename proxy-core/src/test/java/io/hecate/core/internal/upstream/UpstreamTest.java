package io.hecate.core.internal.upstream;

import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamTest {

    @Test
    void smoothWeightedRoundRobinInterleavesInsteadOfBursting() {
        Upstream upstream = new Upstream("app", UpstreamConfig.of(
                new TargetConfig("a:1", 5), new TargetConfig("b:1", 1), new TargetConfig("c:1", 1)));
        String picks = IntStream.range(0, 7).mapToObj(i -> upstream.next().host()).collect(Collectors.joining());
        assertThat(picks).isEqualTo("aabacaa");
    }

    @Test
    void everyTargetGetsItsShareOverManyPicks() {
        Upstream upstream = new Upstream("app", UpstreamConfig.of(
                new TargetConfig("a:1", 300), new TargetConfig("b:1", 200), new TargetConfig("c:1", 100)));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 6000; i++) {
            counts.merge(upstream.next().host(), 1, Integer::sum);
        }
        assertThat(counts).containsEntry("a", 3000).containsEntry("b", 2000).containsEntry("c", 1000);
    }

    @Test
    void hugeWeightsAreScaledIntoABoundedCycleKeepingProportions() {
        Upstream upstream = new Upstream("app", UpstreamConfig.of(
                new TargetConfig("a:1", 997), new TargetConfig("b:1", 991), new TargetConfig("c:1", 983),
                new TargetConfig("d:1", 977), new TargetConfig("e:1", 1), new TargetConfig("f:1", 1)));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            counts.merge(upstream.next().host(), 1, Integer::sum);
        }
        assertThat(counts.get("a")).isBetween(24_000, 26_000);
        assertThat(counts.get("e")).isPositive();
    }

    @Test
    void targetsParseHostsPortsAndBracketedIpv6() {
        assertThat(Target.parse("10.0.0.5:3000", 1)).extracting(Target::host, Target::port).containsExactly("10.0.0.5", 3000);
        assertThat(Target.parse("[::1]:8080", 1)).extracting(Target::host, Target::port).containsExactly("::1", 8080);
        assertThat(Target.parse("app.internal:80", 2).unresolvedAddress().isUnresolved()).isTrue();
    }
}
