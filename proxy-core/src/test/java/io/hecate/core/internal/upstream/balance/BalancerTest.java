package io.hecate.core.internal.upstream.balance;

import io.hecate.core.config.BalanceConfig;
import io.hecate.core.config.OutlierDetectionConfig;
import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.internal.upstream.HealthRegistry;
import io.hecate.core.internal.upstream.Outcome;
import io.hecate.core.internal.upstream.PickContext;
import io.hecate.core.internal.upstream.Target;
import io.hecate.core.internal.upstream.Upstream;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every policy over many picks: shares by weight, load awareness, consistent hashing's stability
 * and minimal remapping, and how picks avoid targets that are down or already tried.
 */
class BalancerTest {

    private static final int PICKS = 10_000;
    /**
     * Random draws of 10,000 picks: a share p has a standard deviation of at most 50 picks
     * (sqrt(10,000 × 0.25)); 250 picks is five of them, so a correct policy essentially never fails.
     */
    private static final int RANDOM_TOLERANCE = 250;

    private final HealthRegistry registry = new HealthRegistry();

    private Upstream upstream(BalanceConfig balance, TargetConfig... targets) {
        UpstreamConfig config = UpstreamConfig.of(targets).withBalance(balance)
                .withOutlierDetection(OutlierDetectionConfig.of(1, Duration.ofMinutes(1)).withMaxEjectionPercent(100));
        return new Upstream("app", config, registry.upstream("app"));
    }

    private static TargetConfig[] weighted(int... weights) {
        TargetConfig[] targets = new TargetConfig[weights.length];
        for (int i = 0; i < weights.length; i++) {
            targets[i] = new TargetConfig("t" + i + ":80", weights[i]);
        }
        return targets;
    }

    private static Map<String, Integer> count(Upstream upstream, int picks, boolean finish) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            Target target = upstream.pick(key(null), List.of());
            upstream.started(target);
            if (finish) {
                upstream.finished(target, Outcome.SUCCESS);
            }
            counts.merge(target.host(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinGivesEachTargetExactlyItsWeightedShare() {
        Map<String, Integer> counts = count(upstream(BalanceConfig.roundRobin(), weighted(1, 2, 3, 4)), PICKS, true);
        // The cycle is 10 picks long, so 10,000 picks are exactly 1,000 cycles.
        assertThat(counts).containsEntry("t0", 1000).containsEntry("t1", 2000).containsEntry("t2", 3000)
                .containsEntry("t3", 4000);
    }

    @Test
    void randomFollowsTheWeights() {
        Map<String, Integer> counts = count(upstream(BalanceConfig.random(), weighted(1, 3, 6)), PICKS, true);
        assertThat(counts.get("t0")).isBetween(1000 - RANDOM_TOLERANCE, 1000 + RANDOM_TOLERANCE);
        assertThat(counts.get("t1")).isBetween(3000 - RANDOM_TOLERANCE, 3000 + RANDOM_TOLERANCE);
        assertThat(counts.get("t2")).isBetween(6000 - RANDOM_TOLERANCE, 6000 + RANDOM_TOLERANCE);
    }

    @Test
    void randomWithEqualWeightsIsUniform() {
        Map<String, Integer> counts = count(upstream(BalanceConfig.random(), weighted(1, 1, 1, 1)), PICKS, true);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(2500 - RANDOM_TOLERANCE, 2500 + RANDOM_TOLERANCE));
    }

    @Test
    void leastRequestWithoutLoadFollowsTheWeights() {
        // Every try ends before the next pick, so all targets are idle and the first draw (by weight) wins.
        Map<String, Integer> counts = count(upstream(BalanceConfig.leastRequest(), weighted(1, 3, 6)), PICKS, true);
        assertThat(counts.get("t0")).isBetween(1000 - RANDOM_TOLERANCE, 1000 + RANDOM_TOLERANCE);
        assertThat(counts.get("t1")).isBetween(3000 - RANDOM_TOLERANCE, 3000 + RANDOM_TOLERANCE);
        assertThat(counts.get("t2")).isBetween(6000 - RANDOM_TOLERANCE, 6000 + RANDOM_TOLERANCE);
    }

    @Test
    void leastRequestAvoidsTheTargetWithTriesInFlight() {
        Upstream upstream = upstream(BalanceConfig.leastRequest(), weighted(1, 1, 1));
        Target busy = upstream.targets().get(0);
        for (int i = 0; i < 10; i++) {
            upstream.started(busy);
        }
        Map<String, Integer> counts = count(upstream, PICKS, true);
        // Two distinct candidates are compared, and the busy one always loses to an idle one.
        assertThat(counts).doesNotContainKey("t0");
        assertThat(counts.get("t1")).isBetween(5000 - RANDOM_TOLERANCE, 5000 + RANDOM_TOLERANCE);
        assertThat(busy.health().active()).isEqualTo(10);
    }

    @Test
    void leastRequestBalancesTriesInFlightByWeight() {
        Upstream upstream = upstream(BalanceConfig.leastRequest(), weighted(1, 3));
        // Nothing finishes: in flight per weight evens out, so t1 ends up with three times t0's tries.
        Map<String, Integer> counts = count(upstream, 4000, false);
        assertThat(counts.get("t0")).isBetween(990, 1010);
        assertThat(counts.get("t1")).isBetween(2990, 3010);
        assertThat(upstream.targets()).extracting(t -> t.health().active()).containsExactly(counts.get("t0"), counts.get("t1"));
    }

    @Test
    void consistentHashSendsAKeyToTheSameTargetEveryTime() {
        Upstream first = upstream(consistentHash(), weighted(1, 1, 1, 1, 1));
        Upstream rebuilt = new Upstream("other", first.config(), new HealthRegistry().upstream("other"));
        for (int k = 0; k < 1000; k++) {
            Target target = first.pick(key("user-" + k), List.of());
            assertThat(first.pick(key("user-" + k), List.of())).isSameAs(target);
            // The table depends on the addresses only: another instance agrees.
            assertThat(rebuilt.pick(key("user-" + k), List.of())).isEqualTo(target);
        }
    }

    @Test
    void consistentHashSpreadsKeysByWeight() {
        Upstream upstream = upstream(consistentHash(), weighted(1, 3, 6));
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 0; k < PICKS; k++) {
            counts.merge(upstream.pick(key("user-" + k), List.of()).host(), 1, Integer::sum);
        }
        assertThat(counts.get("t0")).isBetween(1000 - RANDOM_TOLERANCE, 1000 + RANDOM_TOLERANCE);
        assertThat(counts.get("t1")).isBetween(3000 - RANDOM_TOLERANCE, 3000 + RANDOM_TOLERANCE);
        assertThat(counts.get("t2")).isBetween(6000 - RANDOM_TOLERANCE, 6000 + RANDOM_TOLERANCE);
        MaglevBalancer maglev = (MaglevBalancer) upstream.balancer();
        int[] slots = maglev.slotCounts();
        assertThat(slots[0] + slots[1] + slots[2]).isEqualTo(MaglevBalancer.TABLE_SIZE);
        assertThat(slots[2] / (double) slots[0]).isBetween(5.9, 6.1);
    }

    @Test
    void removingOrAddingATargetRemapsAboutOneInNKeys() {
        int n = 8;
        TargetConfig[] all = weighted(1, 1, 1, 1, 1, 1, 1, 1);
        List<TargetConfig> withoutOne = new ArrayList<>(List.of(all));
        TargetConfig removed = withoutOne.remove(3);
        List<TargetConfig> addedBackLast = new ArrayList<>(withoutOne);
        addedBackLast.add(removed);

        List<String> before = keysToTargets(upstream(consistentHash(), all));
        List<String> after = keysToTargets(upstream(consistentHash(), withoutOne.toArray(TargetConfig[]::new)));
        List<String> back = keysToTargets(upstream(consistentHash(), addedBackLast.toArray(TargetConfig[]::new)));

        // The keys of the removed target must move (about 1/8 of them); Maglev moves only a few more.
        double tolerance = 0.03;
        assertThat(moved(before, after)).isLessThanOrEqualTo(1.0 / n + tolerance);
        for (int k = 0; k < PICKS; k++) {
            if (!before.get(k).equals(removed.address())) {
                continue;
            }
            assertThat(after.get(k)).isNotEqualTo(removed.address());
        }
        assertThat(moved(after, back)).isLessThanOrEqualTo(1.0 / n + tolerance);
        assertThat(moved(before, back)).as("same targets in another order").isLessThanOrEqualTo(tolerance);
    }

    @Test
    void aTargetGoingDownAndComingBackMovesOnlyItsOwnKeysAndBringsThemBack() {
        Upstream upstream = upstream(consistentHash(), weighted(1, 1, 1, 1, 1, 1, 1, 1));
        List<String> before = keysToTargets(upstream);
        Target failing = upstream.targets().get(5);
        upstream.started(failing);
        upstream.finished(failing, Outcome.CONNECT_FAILURE);
        assertThat(failing.health().ejectedAt(registry.now())).isTrue();

        List<String> during = keysToTargets(upstream);
        assertThat(during).doesNotContain(failing.key());
        assertThat(moved(before, during)).isLessThanOrEqualTo(1.0 / 8 + 0.03);

        // The rebuilt table over the same available set is the same table.
        registry.upstream("app").activeChecks(true);
        registry.upstream("app").activeChecks(false);
        assertThat(keysToTargets(upstream)).isEqualTo(during);
    }

    @Test
    void consistentHashFallsBackDeterministicallyWhenTheTargetIsTriedOrDown() {
        Upstream upstream = upstream(consistentHash(), weighted(1, 1, 1, 1));
        for (int k = 0; k < 200; k++) {
            PickContext request = key("user-" + k);
            Target primary = upstream.pick(request, List.of());
            Target second = upstream.pick(request, List.of(primary));
            assertThat(second).isNotEqualTo(primary);
            assertThat(upstream.pick(request, List.of(primary))).isSameAs(second);
            Target third = upstream.pick(request, List.of(primary, second));
            assertThat(third).isNotIn(primary, second);
        }
        // Every target tried: any available one, still the key's own first.
        PickContext request = key("user-1");
        assertThat(upstream.pick(request, upstream.targets())).isSameAs(upstream.pick(request, List.of()));
    }

    @Test
    void consistentHashWithoutTheKeyBalancesAtRandom() {
        Upstream upstream = upstream(consistentHash(), weighted(1, 1));
        Map<String, Integer> counts = count(upstream, 2000, true);
        assertThat(counts.get("t0")).isBetween(1000 - 150, 1000 + 150);
    }

    @Test
    void consistentHashOnACookieOrTheClientAddress() {
        Upstream byCookie = upstream(BalanceConfig.consistentHash(BalanceConfig.HashOn.onCookie("session")), weighted(1, 1, 1));
        Upstream byClient = upstream(BalanceConfig.consistentHash(BalanceConfig.HashOn.onClientAddress()), weighted(1, 1, 1));
        java.util.Set<String> seenByCookie = new java.util.HashSet<>();
        java.util.Set<String> seenByClient = new java.util.HashSet<>();
        for (int k = 0; k < 100; k++) {
            PickContext request = context(null, "s" + k, "10.0.0." + k);
            assertThat(byCookie.pick(request, List.of())).isSameAs(byCookie.pick(context(null, "s" + k, "10.9.9.9"), List.of()));
            assertThat(byClient.pick(request, List.of())).isSameAs(byClient.pick(context(null, "other", "10.0.0." + k), List.of()));
            seenByCookie.add(byCookie.pick(request, List.of()).host());
            seenByClient.add(byClient.pick(request, List.of()).host());
        }
        assertThat(seenByCookie).hasSize(3);
        assertThat(seenByClient).hasSize(3);
    }

    @Test
    void everyPolicySkipsTargetsThatAreDownAndAnswersNullWhenAllAre() {
        for (BalanceConfig balance : List.of(BalanceConfig.roundRobin(), BalanceConfig.random(),
                BalanceConfig.leastRequest(), consistentHash())) {
            HealthRegistry own = new HealthRegistry();
            UpstreamConfig config = UpstreamConfig.of(weighted(1, 2, 3)).withBalance(balance)
                    .withOutlierDetection(OutlierDetectionConfig.of(1, Duration.ofMinutes(1)).withMaxEjectionPercent(100));
            Upstream upstream = new Upstream("app", config, own.upstream("app"));
            Target down = upstream.targets().get(2);
            upstream.started(down);
            upstream.finished(down, Outcome.TIMEOUT);
            for (int i = 0; i < 300; i++) {
                Target picked = upstream.pick(key("k" + i), List.of());
                assertThat(picked).as(balance.policy().configName()).isNotEqualTo(down);
                // A retry goes elsewhere when it can.
                assertThat(upstream.pick(key("k" + i), List.of(picked))).as(balance.policy().configName())
                        .isNotIn(picked, down);
            }
            for (Target target : upstream.targets().subList(0, 2)) {
                upstream.started(target);
                upstream.finished(target, Outcome.CONNECTION_FAILURE);
            }
            assertThat(upstream.pick(key("k"), List.of())).as(balance.policy().configName()).isNull();
        }
    }

    private static BalanceConfig consistentHash() {
        return BalanceConfig.consistentHash(BalanceConfig.HashOn.onHeader("X-User"));
    }

    private static List<String> keysToTargets(Upstream upstream) {
        List<String> mapping = new ArrayList<>(PICKS);
        for (int k = 0; k < PICKS; k++) {
            mapping.add(upstream.pick(key("user-" + k), List.of()).key());
        }
        return mapping;
    }

    private static double moved(List<String> before, List<String> after) {
        int moved = 0;
        for (int k = 0; k < before.size(); k++) {
            if (!before.get(k).equals(after.get(k))) {
                moved++;
            }
        }
        return moved / (double) before.size();
    }

    private static PickContext key(String user) {
        return context(user, null, null);
    }

    private static PickContext context(String header, String cookie, String client) {
        return new PickContext() {
            @Override
            public String header(CharSequence name) {
                return "X-User".contentEquals(name) ? header : null;
            }

            @Override
            public String cookie(String name) {
                return "session".equals(name) ? cookie : null;
            }

            @Override
            public String clientAddress() {
                return client;
            }
        };
    }
}
