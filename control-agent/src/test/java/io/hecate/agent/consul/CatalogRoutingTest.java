package io.hecate.agent.consul;

import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Services tagged hecate.enable=true become upstreams and routes; their passing instances, the targets. */
class CatalogRoutingTest {

    private static final List<String> TAGS = List.of("hecate.enable=true", "hecate.path_prefix=/web",
            "hecate.route.admin.host=admin.example.com");

    @TempDir
    Path dir;

    private ConsulTestDouble consul;
    private ConsulNode node;
    private final List<NamedBackend> backends = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        consul = ConsulTestDouble.start();
    }

    private void startNode(String extra) throws Exception {
        node = ConsulNode.start(dir, "node", """
                  address: "%s"
                  wait: 2s
                  register:
                    service: hecate-edge
                    check_interval: 1s
                %s""".formatted(consul.address(), extra));
    }

    private NamedBackend backend(String name) throws Exception {
        NamedBackend backend = new NamedBackend(name);
        backends.add(backend);
        return backend;
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        backends.forEach(NamedBackend::close);
        consul.close();
    }

    @Test
    void tagsMakeTheRoutesAndOnlyAcceptedInstancesTakeTraffic() throws Exception {
        NamedBackend a = backend("a");
        NamedBackend b = backend("b");
        consul.registerService("n1", "web-a", "web", "127.0.0.1", a.port(), TAGS, "passing");
        consul.registerService("n2", "web-b", "web", "127.0.0.1", b.port(), TAGS, "warning");
        startNode("");

        assertThat(node.get("/web/x")).isEqualTo(new ConsulNode.Answer(200, "a"));
        for (int i = 0; i < 10; i++) {
            assertThat(node.get("/web/" + i).body()).as("a warning instance takes no traffic by default").isEqualTo("a");
        }
        assertThat(node.get("/other").status()).isEqualTo(404);
    }

    @Test
    void aServiceWithNoPassingInstanceKeepsItsRouteAndAnswers503() throws Exception {
        NamedBackend a = backend("a");
        consul.registerService("n1", "web-a", "web", "127.0.0.1", a.port(), TAGS, "passing");
        startNode("");
        assertThat(node.get("/web/").status()).isEqualTo(200);

        consul.setStatus("web-a", "critical");

        await().atMost(Duration.ofSeconds(5)).until(() -> node.get("/web/").status() == 503);
        ConsulNode.Answer unavailable = node.get("/web/");
        assertThat(unavailable.body()).contains("upstream web has no healthy target");
        consul.setStatus("web-a", "passing");
        await().atMost(Duration.ofSeconds(5)).until(() -> node.get("/web/").status() == 200);
    }

    @Test
    void instancesComeAndGoUnderLoadWithoutFailedRequests() throws Exception {
        NamedBackend a = backend("a");
        NamedBackend b = backend("b");
        consul.registerService("n1", "web-a", "web", "127.0.0.1", a.port(), TAGS, "passing");
        consul.registerService("n2", "web-b", "web", "127.0.0.1", b.port(), TAGS, "passing");
        startNode("");

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<ConsulNode.Answer> failures = new ConcurrentLinkedQueue<>();
        ExecutorService load = Executors.newFixedThreadPool(4);
        List<Future<Integer>> workers = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        for (int w = 0; w < 4; w++) {
            workers.add(load.submit(() -> {
                int sent = 0;
                while (running.get() && sent < 20_000 && System.nanoTime() < deadline) {
                    ConsulNode.Answer answer = node.get("/web/load");
                    if (answer.status() != 200) {
                        failures.add(answer);
                    }
                    sent++;
                }
                return sent;
            }));
        }
        try {
            NamedBackend c = backend("c");
            consul.registerService("n3", "web-c", "web", "127.0.0.1", c.port(), TAGS, "passing");
            await().atMost(Duration.ofSeconds(10)).until(() -> c.served() > 50);

            // A leaving instance fails its check first, then stops: what a deploy does.
            consul.setStatus("web-a", "critical");
            await("a out of the upstream").atMost(Duration.ofSeconds(5))
                    .until(() -> !node.admin("/upstreams").contains(a.address()));
            a.close();
            int servedByB = b.served();
            await().atMost(Duration.ofSeconds(5)).until(() -> b.served() > servedByB + 10);
            consul.deregisterService("web-a");
            int servedByC = c.served();
            await().atMost(Duration.ofSeconds(10)).until(() -> c.served() > servedByC + 50);
        } finally {
            running.set(false);
            int total = 0;
            for (Future<Integer> worker : workers) {
                total += worker.get();
            }
            load.shutdownNow();
            assertThat(total).isGreaterThan(100);
        }
        assertThat(failures).as("failed requests").isEmpty();
    }

    @Test
    void theNodeRegistersItselfWithACheckOnReadyAndDeregistersOnShutdown() throws Exception {
        startNode("");

        await().atMost(Duration.ofSeconds(10)).until(() -> consul.agentRegistrations().stream()
                .anyMatch(r -> r.name().equals("hecate-edge") && "passing".equals(r.status())));
        assertThat(consul.agentRegistrations()).singleElement().satisfies(r -> assertThat(r.check().http())
                .isEqualTo("http://127.0.0.1:" + node.hecate().adminAddress().getPort() + "/ready"));

        node.close();
        node = null;
        assertThat(consul.agentRegistrations()).isEmpty();
    }
}
