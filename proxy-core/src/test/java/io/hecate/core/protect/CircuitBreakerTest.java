package io.hecate.core.protect;

import com.sun.net.httpserver.HttpServer;
import io.hecate.core.config.CircuitBreakerConfig;
import io.hecate.core.config.OutlierDetectionConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.Json;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An upstream's circuit breaker and bulkhead end to end: a backend failing half its requests
 * opens the circuit, which then answers 503 at once without reaching it, lets probes through after
 * {@code open_for} and closes once they succeed; slow responses open it too; beyond
 * {@code max_concurrent_requests} requests are answered 503 at once. The state shows on
 * {@code /upstreams} and in the metrics.
 */
class CircuitBreakerTest {

    @AutoClose
    private ProxyFixture proxy;
    @AutoClose
    private TestBackend slowBackend;
    private HttpServer backend;
    /** Every second request fails while true. */
    private volatile boolean failingHalf = true;
    private final AtomicInteger hits = new AtomicInteger();

    @AfterEach
    void stopBackend() {
        if (backend != null) {
            backend.stop(0);
        }
    }

    private String flakyBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        backend.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            int n = hits.incrementAndGet();
            boolean fail = failingHalf && n % 2 == 0;
            byte[] body = (fail ? "broken" : "fine").getBytes();
            exchange.sendResponseHeaders(fail ? 500 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        return "127.0.0.1:" + backend.getAddress().getPort();
    }

    private static UpstreamConfig upstream(String address) {
        // Outlier detection off: this test is about the breaker, not about ejecting the only target.
        return UpstreamConfig.of(address).withOutlierDetection(OutlierDetectionConfig.DISABLED);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> upstreamState() {
        return Json.parseArrayOfObjects(proxy.admin("/upstreams").body()).get(0);
    }

    @SuppressWarnings("unchecked")
    private String breakerState() {
        return (String) ((Map<String, Object>) upstreamState().get("circuit_breaker")).get("state");
    }

    @Test
    void aBackendFailingHalfItsRequestsOpensTheCircuitWhichAnswersFastThenHalfOpensAndCloses() throws Exception {
        CircuitBreakerConfig breaker = CircuitBreakerConfig.DEFAULTS.withFailureRate(50).withWindow(10, 10)
                .withOpenFor(Duration.ofSeconds(1), 3);
        ProxyConfig config = ProxyFixture.oneRoute(upstream(flakyBackend()).withCircuitBreaker(breaker));
        proxy = ProxyFixture.start(config);

        int failures = 0;
        for (int i = 0; i < 10; i++) {
            if (get("/").statusCode() == 500) {
                failures++;
            }
        }
        assertThat(failures).isEqualTo(5);
        assertThat(breakerState()).isEqualTo("open");

        int before = hits.get();
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> refused = get("/");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).startsWith("503 Service Unavailable: upstream app: circuit open (failure rate 50%");
            assertThat(refused.headers().firstValue("Retry-After")).as("seconds until probes").hasValue("1");
        }
        Duration fast = Duration.ofNanos(System.nanoTime() - started);
        assertThat(hits.get()).as("no request reached the backend while open").isEqualTo(before);
        assertThat(fast).as("20 refusals").isLessThan(Duration.ofSeconds(2));
        assertThat(proxy.metricOrZero("hecate_upstream_circuit_breaker_state", "upstream", "app", "state", "open"))
                .isEqualTo(1);
        assertThat(proxy.metricOrZero("hecate_upstream_rejected_total", "upstream", "app", "reason", "circuit_open"))
                .isGreaterThanOrEqualTo(20);
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) upstreamState().get("circuit_breaker");
        assertThat(state).containsEntry("failure_rate", 50.0).containsEntry("calls", 10L).containsEntry("failed_calls", 5L);
        assertThat((Long) state.get("half_open_in_seconds")).isBetween(0L, 1L);

        // A reload that keeps the breaker's settings keeps it open.
        proxy.proxy().apply(config);
        assertThat(get("/").statusCode()).isEqualTo(503);

        // The backend recovers; after open_for, three probes get through and close the circuit.
        failingHalf = false;
        await("probes let through").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> get("/").statusCode() == 200);
        for (int i = 0; i < 2; i++) {
            assertThat(get("/").statusCode()).isEqualTo(200);
        }
        // A probe's outcome is recorded as its exchange ends, just after the client has the response.
        await("closed after the probes").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> "closed".equals(breakerState()));
        for (int i = 0; i < 10; i++) {
            assertThat(get("/").statusCode()).isEqualTo(200);
        }
        assertThat(proxy.metricOrZero("hecate_upstream_circuit_breaker_state", "upstream", "app", "state", "closed"))
                .isEqualTo(1);
    }

    @Test
    void slowResponsesOpenTheCircuitToo() throws Exception {
        slowBackend = TestBackend.start();
        CircuitBreakerConfig breaker = CircuitBreakerConfig.DEFAULTS.withSlowCalls(50, Duration.ofMillis(100))
                .withWindow(4, 4).withOpenFor(Duration.ofMinutes(1), 1);
        proxy = ProxyFixture.start(ProxyFixture.oneRoute(upstream(slowBackend.address()).withCircuitBreaker(breaker)));
        for (int i = 0; i < 4; i++) {
            assertThat(get("/slow?ms=200").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> refused = get("/slow?ms=200");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("circuit open", "slow call rate 100%");
        assertThat(slowBackend.requestCount()).isEqualTo(4);
    }

    @Test
    void beyondMaxConcurrentRequestsRequestsAreAnswered503AtOnce() throws Exception {
        slowBackend = TestBackend.start();
        proxy = ProxyFixture.start(ProxyFixture.oneRoute(upstream(slowBackend.address()).withMaxConcurrentRequests(2)));
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            slow.add(ProxyFixture.HTTP.sendAsync(HttpRequest.newBuilder(proxy.uri("/slow?ms=2000"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        await("two requests in flight").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> proxy.metricOrZero("hecate_upstream_active_requests", "upstream", "app") == 2);
        long started = System.nanoTime();
        HttpResponse<String> third = get("/fast");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        assertThat(third.statusCode()).isEqualTo(503);
        assertThat(third.body()).isEqualTo("503 Service Unavailable: upstream app is at its limit of 2 concurrent requests\n");
        assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(upstreamState()).containsEntry("max_concurrent_requests", 2L).containsEntry("active_requests", 2L);
        for (CompletableFuture<HttpResponse<String>> request : slow) {
            assertThat(request.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        await("places freed").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> proxy.metricOrZero("hecate_upstream_active_requests", "upstream", "app") == 0);
        assertThat(get("/fast").statusCode()).isEqualTo(200);
        assertThat(proxy.metricOrZero("hecate_upstream_rejected_total", "upstream", "app", "reason", "concurrency"))
                .isEqualTo(1);
    }
}
