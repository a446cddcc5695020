package io.hecate.core.proxy;

import io.hecate.core.config.BalanceConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Balancing policies end to end: real backends behind Hecate, counted by who answered. */
class LoadBalancingTest {

    @AutoClose
    private TestBackend a;
    @AutoClose
    private TestBackend b;
    @AutoClose
    private TestBackend c;
    @AutoClose
    private ProxyFixture proxy;

    private void start(BalanceConfig balance) throws Exception {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
        proxy = ProxyFixture.start(ProxyFixture.baseConfig()
                .upstream("app", UpstreamConfig.of(new TargetConfig(a.address(), 1), new TargetConfig(b.address(), 2),
                        new TargetConfig(c.address(), 3)).withBalance(balance))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build());
    }

    @Test
    void weightedRoundRobinThroughTheProxyGivesEachBackendItsShare() throws Exception {
        start(BalanceConfig.roundRobin());
        Map<String, Integer> counts = new HashMap<>();
        try (RawClient client = proxy.raw()) {
            for (int i = 0; i < 600; i++) {
                client.send("GET /rr HTTP/1.1\r\nHost: t\r\n\r\n");
                RawResponse response = client.readResponse();
                assertThat(response.status()).isEqualTo(200);
                counts.merge(response.header("X-Backend"), 1, Integer::sum);
            }
        }
        // One client, one request at a time: exactly 100 cycles of a, b, b, c, c, c.
        assertThat(counts).containsEntry("a", 100).containsEntry("b", 200).containsEntry("c", 300);
    }

    @Test
    void consistentHashingThroughTheProxyKeepsEachKeyOnOneBackend() throws Exception {
        start(BalanceConfig.consistentHash(BalanceConfig.HashOn.onHeader("X-User")));
        Map<String, String> backendOf = new HashMap<>();
        Set<String> used = new HashSet<>();
        try (RawClient client = proxy.raw()) {
            for (int round = 0; round < 2; round++) {
                for (int user = 0; user < 150; user++) {
                    client.send("GET /hash HTTP/1.1\r\nHost: t\r\nX-User: user-" + user + "\r\n\r\n");
                    RawResponse response = client.readResponse();
                    assertThat(response.status()).isEqualTo(200);
                    String backend = response.header("X-Backend");
                    used.add(backend);
                    String first = backendOf.putIfAbsent("user-" + user, backend);
                    if (first != null) {
                        assertThat(backend).as("user-%d again", user).isEqualTo(first);
                    }
                }
            }
        }
        assertThat(used).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void leastRequestThroughTheProxyUsesEveryBackend() throws Exception {
        start(BalanceConfig.leastRequest());
        Map<String, Integer> counts = new HashMap<>();
        try (RawClient client = proxy.raw()) {
            for (int i = 0; i < 300; i++) {
                client.send("GET /lr HTTP/1.1\r\nHost: t\r\n\r\n");
                RawResponse response = client.readResponse();
                assertThat(response.status()).isEqualTo(200);
                counts.merge(response.header("X-Backend"), 1, Integer::sum);
            }
        }
        // Idle backends are drawn by weight (1:2:3 of 300 is 50:100:150; ±40 is six standard deviations).
        assertThat(counts.get("a")).isBetween(10, 90);
        assertThat(counts.get("c")).isBetween(110, 190);
        assertThat(proxy.metricOrZero("hecate_upstream_target_active_requests", "upstream", "app", "target", a.address()))
                .isZero();
    }
}
