package io.hecate.core.proxy;

import com.sun.net.httpserver.HttpServer;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.OutlierDetectionConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RetryConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawBackend;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Retries: only what is safe, on another target, within per-try and overall timeouts and the budget. */
class RetryTest {

    @AutoClose
    private TestBackend good;
    @AutoClose
    private RawBackend hanging;
    @AutoClose
    private ProxyFixture proxy;
    @AutoClose("stopNow")
    private StatusBackend failing;

    /** A real backend that answers every request with one status and counts what it received. */
    static final class StatusBackend {
        final HttpServer server;
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger bodyBytes = new AtomicInteger();

        StatusBackend(int status) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.createContext("/", exchange -> {
                requests.incrementAndGet();
                bodyBytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        String address() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        void stopNow() {
            server.stop(0);
        }
    }

    /** Outlier detection off: these tests count which target saw what, and ejection would change that. */
    private static UpstreamConfig upstream(String... addresses) {
        return new UpstreamConfig(List.of(addresses).stream().map(TargetConfig::of).toList(), Duration.ofSeconds(2),
                UpstreamConfig.DEFAULT_IDLE_TIMEOUT, UpstreamConfig.DEFAULT_MAX_LIFETIME, UpstreamConfig.DEFAULT_MAX_IDLE_PER_LOOP)
                .withOutlierDetection(OutlierDetectionConfig.DISABLED);
    }

    private ProxyFixture start(UpstreamConfig upstream, ProxyAction action) throws Exception {
        return ProxyFixture.start(ProxyFixture.baseConfig().upstream("app", upstream)
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), action)).build());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aTargetThatRefusesConnectionsIsRetriedOnAnotherForAnyMethod() throws Exception {
        good = TestBackend.start("good");
        proxy = start(upstream("127.0.0.1:" + closedPort(), good.address()), ProxyAction.to("app"));

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("payload " + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("payload " + i);
        }
        assertThat(good.requestCount()).isEqualTo(20);
    }

    /** The budget is earned by requests; 1.0 lets every request retry once, so the first one can. */
    @Test
    void aBackendThatAcceptsAndHangsIsGivenUpAfterThePerTryTimeoutAndTheRetrySucceeds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        hanging = RawBackend.start(conn -> {
            conn.readRequest();
            release.await(10, TimeUnit.SECONDS);
        });
        good = TestBackend.start("good");
        ProxyAction action = ProxyAction.to("app").withTimeout(Duration.ofSeconds(5))
                .withRetry(RetryConfig.onFailures(2, Duration.ofMillis(300)).withBudget(1.0));
        proxy = start(upstream(hanging.address(), good.address()), action);
        try {
            for (int i = 0; i < 4; i++) {
                long started = System.nanoTime();
                HttpResponse<byte[]> response = proxy.get("/hello");
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(millis).as("answered within the overall timeout").isLessThan(5000);
            }
            assertThat(hanging.requestCount()).as("the hanging target was tried").isPositive();
        } finally {
            release.countDown();
        }
    }

    @Test
    void whenEveryTryTimesOutTheClientGets504WithinTheOverallTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        hanging = RawBackend.start(conn -> {
            conn.readRequest();
            release.await(10, TimeUnit.SECONDS);
        });
        ProxyAction action = ProxyAction.to("app").withTimeout(Duration.ofMillis(900))
                .withRetry(RetryConfig.onFailures(5, Duration.ofMillis(400)).withBudget(1.0));
        proxy = start(upstream(hanging.address()), action);
        try {
            HttpResponse<byte[]> response = proxy.get("/hello");
            assertThat(response.statusCode()).isEqualTo(504);
            assertThat(new String(response.body())).contains("did not respond within");
            assertThat(hanging.requestCount()).as("tries fit in the overall timeout").isBetween(2, 3);
        } finally {
            release.countDown();
        }
    }

    @Test
    void idempotentRequestsAreRetriedOnListedStatusesWithTheirBodyReplayed() throws Exception {
        failing = new StatusBackend(503);
        good = TestBackend.start("good");
        ProxyAction action = ProxyAction.to("app").withRetry(RetryConfig.onFailures(2, null, 503).withBudget(1.0));
        proxy = start(upstream(failing.address(), good.address()), action);
        String body = "x".repeat(10_000);

        for (int i = 0; i < 6; i++) {
            HttpResponse<String> put = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.body()).isEqualTo(body);
        }
        assertThat(failing.requests.get()).isPositive();

        HttpResponse<String> post = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> post2 = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(List.of(post.statusCode(), post2.statusCode())).as("POST is never retried on a status").contains(503);
    }

    @Test
    void aBodyLargerThanTheReplayLimitIsNotRetriedOnceSent() throws Exception {
        failing = new StatusBackend(503);
        good = TestBackend.start("good");
        RetryConfig retry = new RetryConfig(2, null, false, List.of(503), 1.0, 1024);
        proxy = start(upstream(failing.address(), good.address()), ProxyAction.to("app").withRetry(retry));
        String body = "y".repeat(4096);

        int unavailable = 0;
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> put = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isIn(200, 503);
            unavailable += put.statusCode() == 503 ? 1 : 0;
        }
        assertThat(unavailable).as("round-robin sent half to the failing target, none retried").isEqualTo(2);
    }

    @Test
    void theBudgetCapsRetriesWhenEveryTargetFails() throws Exception {
        failing = new StatusBackend(503);
        StatusBackend alsoFailing = new StatusBackend(503);
        try {
            double budget = 0.2;
            RetryConfig retry = new RetryConfig(3, null, false, List.of(503), budget, 1024);
            proxy = start(upstream(failing.address(), alsoFailing.address()), ProxyAction.to("app").withRetry(retry));
            int requests = 200;
            for (int i = 0; i < requests; i++) {
                assertThat(proxy.get("/x").statusCode()).isEqualTo(503);
            }
            int seen = failing.requests.get() + alsoFailing.requests.get();
            assertThat(seen).as("the upstream saw at most requests x (1 + budget)")
                    .isGreaterThan(requests).isLessThanOrEqualTo((int) (requests * (1 + budget)));
        } finally {
            alsoFailing.stopNow();
        }
    }
}
