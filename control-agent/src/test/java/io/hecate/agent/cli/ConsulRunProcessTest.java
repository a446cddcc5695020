package io.hecate.agent.cli;

import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code hecate run} with a consul section, as a real process: Consul's routes served, the node registered and deregistered. */
class ConsulRunProcessTest {

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ConsulTestDouble consul;
    private HecateProcess hecate;

    @AfterEach
    void tearDown() throws Exception {
        if (hecate != null) {
            hecate.close();
        }
        if (consul != null) {
            consul.close();
        }
    }

    @Test
    void servesRoutesFromConsulRegistersAndDeregistersOnSigterm() throws Exception {
        consul = ConsulTestDouble.start();
        consul.put("hecate/routes/hello", "match: { path: /hello }\nrespond: { status: 200, body: \"from consul\" }\n");
        int[] ports = FreePorts.pick(2);
        Path config = Files.writeString(dir.resolve("hecate.yaml"), """
                listen: { http: "127.0.0.1:%d" }
                admin: { listen: "127.0.0.1:%d" }
                drain_timeout: 1s
                consul:
                  address: "%s"
                  catalog: off
                  register: { service: edge, check_interval: 1s }
                """.formatted(ports[0], ports[1], consul.address()));

        hecate = HecateProcess.run(config, dir);
        hecate.awaitReady(client, ports[1]);

        assertThat(get(ports[0], "/hello").body()).isEqualTo("from consul");
        consul.put("hecate/routes/later", "match: { path: /later }\nrespond: { status: 200, body: later }\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> get(ports[0], "/later").statusCode() == 200);
        await().atMost(Duration.ofSeconds(10)).until(() -> consul.agentRegistrations().stream()
                .anyMatch(r -> r.name().equals("edge") && r.port() == ports[0] && "passing".equals(r.status())));
        assertThat(get(ports[1], "/consul").body()).contains("\"reachable\": true");

        hecate.process().destroy();
        assertThat(hecate.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(hecate.process().exitValue()).as(hecate.log()).isZero();
        assertThat(consul.agentRegistrations()).as("deregistered on shutdown").isEmpty();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
