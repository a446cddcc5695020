package io.hecate.agent.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code hecate run} as a real process: signals, exit codes, draining. */
class RunProcessTest {

    private static final Duration DRAIN = Duration.ofSeconds(10);
    private static final String SLOW_BODY = "slow and complete\n".repeat(4096);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private HecateProcess hecate;
    private HttpServer backend;
    private ExecutorService backendThreads;
    private final CountDownLatch backendReceived = new CountDownLatch(1);
    private final CountDownLatch backendRelease = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        backendRelease.countDown();
        if (hecate != null) {
            hecate.close();
        }
        if (backend != null) {
            backend.stop(0);
            backendThreads.shutdownNow();
        }
    }

    @Test
    void servesTheFileAndReloadsItOnSighup() throws Exception {
        int[] ports = FreePorts.pick(2);
        Path config = dir.resolve("hecate.yaml");
        Files.writeString(config, respondConfig(ports, "first"));
        hecate = HecateProcess.run(config, dir);
        hecate.awaitReady(client, ports[1]);
        assertThat(get(ports[0], "/").body()).isEqualTo("first\n");

        replace(config, respondConfig(ports, "second"));
        hecate.signal("HUP");

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(hecate.log()).contains("SIGHUP: applied configuration version"));
        assertThat(get(ports[0], "/").body()).isEqualTo("second\n");
        assertThat(hecate.process().isAlive()).isTrue();
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
        int backendPort = startSlowBackend();
        int[] ports = FreePorts.pick(2);
        Path config = Files.writeString(dir.resolve("hecate.yaml"), """
                listen: { http: "127.0.0.1:%d" }
                admin: { listen: "127.0.0.1:%d" }
                drain_timeout: %ds
                upstreams:
                  slow: { targets: ["127.0.0.1:%d"] }
                routes:
                  - id: slow
                    match: { path_prefix: "/slow" }
                    proxy: { upstream: slow }
                """.formatted(ports[0], ports[1], DRAIN.toSeconds(), backendPort));
        hecate = HecateProcess.run(config, dir);
        hecate.awaitReady(client, ports[1]);

        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(request(ports[0], "/slow"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(backendReceived.await(30, TimeUnit.SECONDS)).as("backend received the request").isTrue();
        long stoppedAt = System.nanoTime();
        hecate.process().destroy();

        HttpResponse<String> response = inFlight.get(DRAIN.toSeconds(), TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(SLOW_BODY);
        long left = DRAIN.toNanos() - (System.nanoTime() - stoppedAt);
        assertThat(hecate.process().waitFor(left, TimeUnit.NANOSECONDS)).as("exited within drain_timeout").isTrue();
        assertThat(hecate.process().exitValue()).isZero();
        assertThat(hecate.log()).contains("SIGTERM: draining", "Hecate stopped");
    }

    @Test
    void exitsTwoWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("hecate.yaml"), """
                    listen: { http: "127.0.0.1:%d" }
                    admin: { listen: off }
                    """.formatted(taken.getLocalPort()));
            hecate = HecateProcess.run(config, dir);

            assertThat(hecate.process().waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
            assertThat(hecate.process().exitValue()).as(hecate.log()).isEqualTo(2);
            assertThat(hecate.log()).contains(config + ": listen.http: cannot listen on 127.0.0.1:" + taken.getLocalPort(),
                    "Address already in use");
        }
    }

    private static String respondConfig(int[] ports, String body) {
        return """
                listen: { http: "127.0.0.1:%d" }
                admin: { listen: "127.0.0.1:%d" }
                routes:
                  - id: hello
                    match: { path: "/" }
                    respond: { body: "%s\\n" }
                """.formatted(ports[0], ports[1], body);
    }

    /** Replaces the file in one step, as editors do, so no reader ever sees half of it. */
    private void replace(Path file, String content) throws IOException {
        Path next = Files.writeString(dir.resolve("next.yaml"), content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Answers about 1.5 s after a request arrived: long enough to be in flight when SIGTERM comes. */
    private int startSlowBackend() throws IOException {
        backendThreads = Executors.newCachedThreadPool();
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        backend.setExecutor(backendThreads);
        backend.createContext("/", exchange -> {
            backendReceived.countDown();
            try {
                // Never released during the test: the timeout is the delay.
                backendRelease.await(1500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = SLOW_BODY.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();
        return backend.getAddress().getPort();
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return client.send(request(port, path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .build();
    }
}
