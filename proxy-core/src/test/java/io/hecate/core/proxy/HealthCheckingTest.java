package io.hecate.core.proxy;

import io.hecate.core.config.HealthCheckConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.OutlierDetectionConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.TargetConfig;
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
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Targets that go down are taken out of rotation (by outlier detection or active checks) and come
 * back when they recover; the state shows on {@code /upstreams} and in the metrics and survives
 * reloads that keep the target.
 */
class HealthCheckingTest {

    private static final int CLIENTS = 8;
    private static final int MAX_REQUESTS_PER_CLIENT = 3000;
    private static final Duration MAX_LOAD_TIME = Duration.ofSeconds(20);
    private static final Duration FAST_CHECKS = Duration.ofMillis(100);

    /** Backends started by a test, closed after it (a backend may be closed earlier, and restarted). */
    private final List<TestBackend> backends = new ArrayList<>();
    @AutoClose
    private ProxyFixture proxy;

    @AfterEach
    void closeBackends() {
        backends.forEach(TestBackend::close);
    }

    private TestBackend backend(String name) throws IOException {
        TestBackend backend = TestBackend.start(name);
        backends.add(backend);
        return backend;
    }

    /** A backend back on the address of one that was closed. */
    private TestBackend restart(TestBackend closed) throws IOException {
        TestBackend backend = TestBackend.start(closed.name(), closed.port());
        backends.add(backend);
        return backend;
    }

    private static ProxyConfig.Builder config(UpstreamConfig upstream) {
        return ProxyFixture.baseConfig()
                .upstream("app", upstream)
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app").withTimeout(Duration.ofSeconds(5))));
    }

    private static HealthCheckConfig fastChecks() {
        return HealthCheckConfig.of("/healthz").withInterval(FAST_CHECKS, Duration.ofMillis(500)).withThresholds(1, 2);
    }

    @Test
    void aBackendKilledUnderLoadIsTakenOutWithoutFailuresAndComesBackWhenRestarted() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        TestBackend c = backend("c");
        proxy = ProxyFixture.start(config(UpstreamConfig.of(a.address(), b.address(), c.address())
                .withHealthCheck(fastChecks())
                .withOutlierDetection(OutlierDetectionConfig.of(3, Duration.ofMillis(500)))).build());

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger completed = new AtomicInteger();
        ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
        List<Thread> clients = startLoad(stop, completed, results);
        long outAt;
        TestBackend cAgain;
        try {
            await("load flowing").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> completed.get() >= 200);
            c.close();

            await("c taken out").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> !healthy(c.address()));
            outAt = System.nanoTime();
            int target = completed.get() + 400;
            await("load while c is out").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> completed.get() >= target);

            cAgain = restart(c);
            await("c back in rotation").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> proxiedRequests(cAgain) >= 20);
        } finally {
            stop.set(true);
            for (Thread client : clients) {
                client.join(TimeUnit.SECONDS.toMillis(20));
            }
        }

        List<Result> afterOut = results.stream().filter(r -> r.startedNanos - outAt > 0).toList();
        assertThat(afterOut).hasSizeGreaterThanOrEqualTo(400);
        assertThat(afterOut).as("requests that started once c was out").allSatisfy(r ->
                assertThat(r.status).as(r.toString()).isEqualTo(200));
        assertThat(healthy(c.address())).isTrue();
        assertThat(proxiedRequests(c)).as("c served load before it was killed").isPositive();
        assertThat(a.requestCount()).isPositive();
        assertThat(b.requestCount()).isPositive();
        assertThat(proxy.metric("hecate_upstream_target_healthy", "upstream", "app", "target", c.address()))
                .hasValue(1.0);
        // Checks identify themselves, so a backend can tell them from traffic.
        assertThat(cAgain.recorded()).anySatisfy(r -> {
            assertThat(r.uri()).isEqualTo("/healthz");
            assertThat(r.header("User-Agent")).isEqualTo("hecate-health-check");
        });
    }

    @Test
    void anEjectedTargetReturnsWhenItsEjectionRunsOut() throws Exception {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        proxy = ProxyFixture.start(config(UpstreamConfig.of(a.address(), b.address())
                .withOutlierDetection(OutlierDetectionConfig.of(2, Duration.ofSeconds(1)))).build());
        b.close();

        await("b ejected").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    proxy.get("/poke");
                    return target(b.address()).get("ejected").equals(true);
                });
        Map<String, Object> ejected = target(b.address());
        assertThat(ejected.get("healthy")).isEqualTo(false);
        assertThat(ejected.get("ejected_until")).isNotNull();
        assertThat(ejected.get("ejections")).isEqualTo(1L);
        assertThat(proxy.metricOrZero("hecate_upstream_target_ejections_total", "upstream", "app", "target", b.address()))
                .isEqualTo(1);
        assertThat(proxy.metric("hecate_upstream_target_healthy", "upstream", "app", "target", b.address()))
                .hasValue(0.0);
        // While it is out, everything goes to a.
        for (int i = 0; i < 20; i++) {
            assertThat(proxy.get("/while-out").statusCode()).isEqualTo(200);
        }

        TestBackend bAgain = restart(b);
        await("b back once its ejection ran out").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    assertThat(proxy.get("/after").statusCode()).isEqualTo(200);
                    return bAgain.requestCount() > 0;
                });
        assertThat(target(b.address()).get("healthy")).isEqualTo(true);
    }

    @Test
    void noHealthyTargetAnswers503WithRetryAfterKeepsTheRouteAndRecovers() throws Exception {
        TestBackend a = backend("a");
        proxy = ProxyFixture.start(config(UpstreamConfig.of(a.address()).withHealthCheck(fastChecks())).build());
        assertThat(proxy.get("/before").statusCode()).isEqualTo(200);
        a.close();

        await("checks mark a down").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !healthy(a.address()));
        HttpResponse<byte[]> unavailable = proxy.get("/during");
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        assertThat(new String(unavailable.body())).contains("no healthy target");
        assertThat(proxy.admin("/routes").body()).contains("\"id\" : \"app\"");
        Map<String, Object> check = check(a.address());
        assertThat(check.get("healthy")).isEqualTo(false);
        assertThat(check.get("last_error")).asString().isNotBlank();

        TestBackend aAgain = restart(a);
        await("a back").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> proxy.get("/after").statusCode() == 200);
        assertThat(aAgain.recorded()).anySatisfy(r -> assertThat(r.uri()).isEqualTo("/after"));
        assertThat(check(a.address()).get("last_result")).isEqualTo("200");
    }

    /** An upstream whose targets are all gone (a discovered service with no passing instance) keeps its routes. */
    @Test
    void anUpstreamWithoutTargetsAnswers503WithRetryAfterUntilItGetsOne() throws Exception {
        proxy = ProxyFixture.start(config(UpstreamConfig.of(new TargetConfig[0])).build());
        HttpResponse<byte[]> unavailable = proxy.get("/none");
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).isPresent();
        assertThat(new String(unavailable.body())).contains("upstream app has no healthy target");

        TestBackend a = backend("a");
        proxy.proxy().apply(config(UpstreamConfig.of(a.address())).build());
        assertThat(proxy.get("/one").statusCode()).isEqualTo(200);
    }

    @Test
    void healthSurvivesAReloadThatKeepsTheTargetAndARemovedTargetComesBackFresh() throws Exception {
        TestBackend a = backend("a");
        String dead = "127.0.0.1:" + closedPort();
        UpstreamConfig upstream = UpstreamConfig.of(a.address(), dead)
                .withOutlierDetection(OutlierDetectionConfig.of(1, Duration.ofMinutes(5)));
        proxy = ProxyFixture.start(config(upstream).build());

        await("dead ejected").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    proxy.get("/poke");
                    return target(dead).get("ejected").equals(true);
                });
        Object ejectedUntil = target(dead).get("ejected_until");

        // A new route, the same upstream: the ejection stays.
        proxy.proxy().apply(config(upstream)
                .route(RouteConfig.of("extra", MatchConfig.prefix("/extra"), RespondAction.of(200, "extra")))
                .build());
        assertThat(proxy.get("/extra").statusCode()).isEqualTo(200);
        Map<String, Object> kept = target(dead);
        assertThat(kept.get("ejected")).isEqualTo(true);
        assertThat(kept.get("ejected_until")).isEqualTo(ejectedUntil);
        for (int i = 0; i < 10; i++) {
            assertThat(proxy.get("/still-out").statusCode()).isEqualTo(200);
        }

        // A weight change keeps the target too.
        UpstreamConfig reweighted = upstream.withTargets(List.of(TargetConfig.of(a.address()), new TargetConfig(dead, 2)));
        proxy.proxy().apply(config(reweighted).build());
        assertThat(target(dead).get("ejected")).isEqualTo(true);
        assertThat(target(dead).get("weight")).isEqualTo(2L);

        // Removed, then added back: a fresh start.
        proxy.proxy().apply(config(upstream.withTargets(List.of(TargetConfig.of(a.address())))).build());
        assertThat(proxy.admin("/upstreams").body()).doesNotContain(dead);
        assertThat(proxy.metrics().keySet()).noneMatch(key -> key.contains(dead));
        proxy.proxy().apply(config(upstream).build());
        Map<String, Object> fresh = target(dead);
        assertThat(fresh.get("ejected")).isEqualTo(false);
        assertThat(fresh.get("ejections")).isEqualTo(0L);
        assertThat(fresh.get("healthy")).isEqualTo(true);
    }

    @Test
    void upstreamsEndpointDescribesPolicyTargetsAndChecks() throws Exception {
        TestBackend a = backend("a");
        proxy = ProxyFixture.start(config(UpstreamConfig.of(new TargetConfig(a.address(), 3))
                .withBalance(io.hecate.core.config.BalanceConfig.consistentHash(
                        io.hecate.core.config.BalanceConfig.HashOn.onHeader("X-User")))
                .withHealthCheck(fastChecks())).build());

        await("first check").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> "200".equals(check(a.address()).get("last_result")));
        HttpResponse<String> response = proxy.admin("/upstreams");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        Map<String, Object> app = Json.parseArrayOfObjects(response.body()).get(0);
        assertThat(app).containsEntry("name", "app").containsEntry("policy", "consistent_hash")
                .containsEntry("hash_on", Map.of("header", "X-User")).containsEntry("active_checks", true);
        Map<String, Object> target = target(a.address());
        assertThat(target).containsEntry("weight", 3L).containsEntry("healthy", true).containsEntry("ejected", false)
                .containsEntry("ejected_until", null).containsEntry("consecutive_failures", 0L)
                .containsEntry("active_requests", 0L);
        assertThat(check(a.address())).containsEntry("healthy", true).containsEntry("last_error", null)
                .containsKey("last_checked_at");
        assertThat(proxy.metric("hecate_upstream_target_active_requests", "upstream", "app", "target", a.address()))
                .hasValue(0.0);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private record Result(long startedNanos, int status, String detail) {
    }

    private List<Thread> startLoad(AtomicBoolean stop, AtomicInteger completed, ConcurrentLinkedQueue<Result> results) {
        long deadline = System.nanoTime() + MAX_LOAD_TIME.toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && !stop.get() && System.nanoTime() < deadline; i++) {
                    long started = System.nanoTime();
                    try {
                        HttpResponse<String> response = ProxyFixture.HTTP.send(
                                HttpRequest.newBuilder(proxy.uri("/load?c=" + client + "&i=" + i))
                                        .timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        results.add(new Result(started, response.statusCode(), response.body()));
                    } catch (IOException e) {
                        results.add(new Result(started, 0, e.toString()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    completed.incrementAndGet();
                }
            }, "load-" + c);
            thread.setDaemon(true);
            clients.add(thread);
            thread.start();
        }
        return clients;
    }

    private static int proxiedRequests(TestBackend backend) {
        return (int) backend.recorded().stream().filter(r -> r.uri().startsWith("/load")).count();
    }

    private boolean healthy(String address) {
        return Boolean.TRUE.equals(target(address).get("healthy"));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> target(String address) {
        for (Map<String, Object> upstream : Json.parseArrayOfObjects(proxy.admin("/upstreams").body())) {
            for (Map<String, Object> target : (List<Map<String, Object>>) upstream.get("targets")) {
                if (address.equals(target.get("address"))) {
                    return target;
                }
            }
        }
        throw new AssertionError("no target " + address + " on /upstreams");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> check(String address) {
        return (Map<String, Object>) target(address).get("check");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
