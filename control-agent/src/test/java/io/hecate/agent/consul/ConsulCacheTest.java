package io.hecate.agent.consul;

import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** consul.cache_file: a node started while Consul is down serves Consul's routes as they last were. */
class ConsulCacheTest {

    @TempDir
    Path dir;

    private ConsulTestDouble consul;
    private NamedBackend app;
    private ConsulNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        if (app != null) {
            app.close();
        }
        if (consul != null) {
            consul.close();
        }
    }

    @Test
    void aNodeStartedWhileConsulIsDownServesTheCachedRoutesUntilConsulAnswers() throws Exception {
        consul = ConsulTestDouble.start();
        app = new NamedBackend("app");
        consul.put("hecate/upstreams/app", "targets: [\"" + app.address() + "\"]\n");
        consul.put("hecate/routes/first", "match: { path_prefix: /first }\nproxy: { upstream: app }\n");
        Path cache = dir.resolve("cache").resolve("consul.json");
        String section = """
                  address: "%s"
                  wait: 2s
                  catalog: off
                  cache_file: "%s"
                """.formatted(consul.address(), cache);
        node = ConsulNode.start(dir, "before", section);
        assertThat(node.get("/first").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(cache));
        assertThat(Files.readString(cache)).contains("hecate/routes/first");
        node.close();
        node = null;

        consul.stop();
        node = ConsulNode.start(dir, "after", section);

        assertThat(node.get("/first")).isEqualTo(new ConsulNode.Answer(200, "app"));
        assertThat(node.admin("/consul")).contains("\"serving_cache_from\": \"20");

        consul.restart(false);
        consul.put("hecate/routes/second", "match: { path_prefix: /second }\nproxy: { upstream: app }\n");
        await().atMost(Duration.ofSeconds(15)).until(() -> node.get("/second").status() == 200);
        await().atMost(Duration.ofSeconds(15)).until(() -> node.admin("/consul").contains("\"serving_cache_from\": null"));
        assertThat(node.get("/first").status()).isEqualTo(200);
    }
}
