package io.hecate.agent.consul;

import java.util.concurrent.atomic.AtomicInteger;
import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two nodes following one (test double) Consul: KV routes reach both, and nothing Consul does takes them down. */
class ConsulSyncTest {

    @TempDir
    Path dir;

    private ConsulTestDouble consul;
    private NamedBackend app;
    private final List<ConsulNode> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        consul = ConsulTestDouble.start();
        app = new NamedBackend("app");
        consul.put("hecate/upstreams/app", "targets: [\"" + app.address() + "\"]\n");
        consul.put("hecate/routes/first", "match: { path_prefix: /first }\nproxy: { upstream: app }\n");
        for (String name : List.of("node-a", "node-b")) {
            nodes.add(ConsulNode.start(dir, name, """
                      address: "%s"
                      wait: 2s
                      catalog: off
                    """.formatted(consul.address())));
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(ConsulNode::close);
        app.close();
        consul.close();
    }

    @Test
    void routesInKvAtStartAreServedFromTheFirstRequest() {
        for (ConsulNode node : nodes) {
            assertThat(node.get("/first")).isEqualTo(new ConsulNode.Answer(200, "app"));
            assertThat(node.get("/file")).isEqualTo(new ConsulNode.Answer(200, "from the file"));
        }
    }

    @Test
    void aRouteWrittenToKvServesTrafficOnBothNodesWithinOneSecond() {
        long written = System.nanoTime();
        consul.put("hecate/routes/second", "{\"match\": {\"path_prefix\": \"/second\"}, \"proxy\": {\"upstream\": \"app\"}}");

        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> nodes.stream().allMatch(n -> n.get("/second").status() == 200));
        long millis = (System.nanoTime() - written) / 1_000_000;
        assertThat(millis).isLessThanOrEqualTo(1000);
        // Blocking queries, never polling: every KV query after the first waits on an index.
        assertThat(consul.requests()).filteredOn(r -> r.path().startsWith("/v1/kv/hecate/routes"))
                .allSatisfy(r -> assertThat(r.rawQuery()).satisfiesAnyOf(
                        q -> assertThat(q).contains("index="), q -> assertThat(q).doesNotContain("wait=")));
    }

    @Test
    void anInvalidDocumentIsRejectedWithItsKeyAndTheRestKeepsServing() throws Exception {
        consul.put("hecate/routes/first", "match: { path_prefix: /first }\nproxy: { upstrem: app }\n");
        consul.put("hecate/routes/broken", "match: { path_prefix: /broken }\nproxy: { upstream: nowhere }\n");
        consul.put("hecate/routes/third", "match: { path_prefix: /third }\nproxy: { upstream: app }\n");

        for (ConsulNode node : nodes) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.get("/third").status() == 200);
            assertThat(node.get("/first")).as("previous version kept").isEqualTo(new ConsulNode.Answer(200, "app"));
            assertThat(node.get("/broken").status()).isEqualTo(404);
            String status = node.admin("/consul");
            assertThat(status).contains("consul:hecate/routes/first").contains("upstrem")
                    .contains("keeping its previous version");
            assertThat(status).contains("consul:hecate/routes/broken").contains("nowhere");
            assertThat(node.admin("/metrics")).contains("hecate_consul_rejected_documents ")
                    .doesNotContain("hecate_consul_rejected_documents 0");
        }
    }

    /** A filter's settings are checked only when the proxy builds the route: the document is left out then. */
    @Test
    void aDocumentOnlyTheProxyCanFaultIsLeftOutAndTheRestApplies() throws Exception {
        consul.put("hecate/routes/limited", """
                match: { path_prefix: /limited }
                proxy: { upstream: app }
                filters:
                  - type: rate_limit
                    limits: [{ name: per-client, key: client_address, requests: 0, per: 1s }]
                """);
        consul.put("hecate/routes/third", "match: { path_prefix: /third }\nproxy: { upstream: app }\n");

        for (ConsulNode node : nodes) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.get("/third").status() == 200);
            assertThat(node.get("/limited").status()).isEqualTo(404);
            assertThat(node.admin("/consul")).contains("consul:hecate/routes/limited").contains("requests");
        }

        consul.put("hecate/routes/limited", """
                match: { path_prefix: /limited }
                proxy: { upstream: app }
                filters:
                  - type: rate_limit
                    limits: [{ name: per-client, key: client_address, requests: 100, per: 1s }]
                """);
        for (ConsulNode node : nodes) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.get("/limited").status() == 200);
        }
    }

    @Test
    void anEmptyRoutesTreeIsRefusedAndTheRoutesStay() throws Exception {
        consul.delete("hecate/routes/first");

        for (ConsulNode node : nodes) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.admin("/consul").contains("is empty"));
            assertThat(node.get("/first")).isEqualTo(new ConsulNode.Answer(200, "app"));
        }
    }

    @Test
    void afterConsulRestartsWithItsIndexResetTheNodesResynchronise() throws Exception {
        consul.restart(true);
        consul.put("hecate/routes/after-restart", "match: { path_prefix: /after }\nproxy: { upstream: app }\n");

        for (ConsulNode node : nodes) {
            await().atMost(Duration.ofSeconds(10)).until(() -> node.get("/after").status() == 200);
            assertThat(node.get("/first").status()).isEqualTo(200);
        }
    }

    @Test
    void consulDownForThirtySecondsTheNodesKeepServingAndRecoverAfter() throws Exception {
        consul.stop();
        AtomicInteger requests = new AtomicInteger();
        await("every request served while Consul is down").during(Duration.ofSeconds(30))
                .atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                .until(() -> nodes.stream().allMatch(node -> {
                    requests.incrementAndGet();
                    return node.get("/first").equals(new ConsulNode.Answer(200, "app"));
                }));
        assertThat(requests.get()).isGreaterThan(100);
        for (ConsulNode node : nodes) {
            assertThat(node.admin("/consul")).contains("\"reachable\": false").contains("unreachable");
            assertThat(node.admin("/metrics")).contains("hecate_consul_reachable 0");
        }

        consul.restart(false);
        consul.put("hecate/routes/back", "match: { path_prefix: /back }\nproxy: { upstream: app }\n");
        for (ConsulNode node : nodes) {
            await().atMost(Duration.ofSeconds(15)).until(() -> node.get("/back").status() == 200);
            // Each watch retries on its own backoff, at most 10 s apart once Consul was gone for long.
            await().atMost(Duration.ofSeconds(15)).until(() -> node.admin("/consul").contains("\"reachable\": true"));
        }
    }
}
