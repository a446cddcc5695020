package io.hecate.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.hecate.auth.testing.AuthentikOutpostDouble;
import io.hecate.auth.testing.AuthentikOutpostDouble.Identity;
import io.hecate.core.testing.LeakWatcher;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.hecate.auth.testing.AuthProxies.get;
import static io.hecate.auth.testing.AuthProxies.guarded;
import static io.hecate.auth.testing.AuthProxies.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code authentik} filter against a test double of Authentik's outpost and a real backend. */
class AuthentikForwardAuthTest {

    private static final Logger LOG = LoggerFactory.getLogger(AuthentikForwardAuthTest.class);

    private static final Identity ALICE = new Identity("alice", List.of("admins", "staff"), List.of("app:write"),
            "alice@example.test", "Alice Example", "a11ce");

    private static LeakWatcher leaks;

    @AutoClose
    private AuthentikOutpostDouble outpost;
    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    private final AuthMetrics metrics = new AuthMetrics();

    @BeforeAll
    static void watchLeaks() {
        leaks = LeakWatcher.install();
    }

    @AfterAll
    static void noLeaks() {
        try {
            assertThat(leaks.collect()).as("Netty leak reports").isEmpty();
        } finally {
            leaks.close();
        }
    }

    @BeforeEach
    void startServers() throws Exception {
        outpost = AuthentikOutpostDouble.start();
        backend = TestBackend.start();
    }

    private void startProxy(Object... settings) throws Exception {
        proxy = guarded(new AuthentikFilterFactory(metrics), settings(settings), backend);
    }

    private Map<String, Object> settings(Object... pairs) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("outpost", outpost.url());
        for (int i = 0; i < pairs.length; i += 2) {
            settings.put((String) pairs[i], pairs[i + 1]);
        }
        return settings;
    }

    private String authority() {
        return "127.0.0.1:" + proxy.http().getPort();
    }

    @Test
    void signedInTheBackendSeesTheOutpostsIdentityAndNeverTheClientsForgery() throws Exception {
        startProxy();
        String cookie = outpost.signIn(ALICE) + "; theme=dark";

        HttpResponse<String> response = get(proxy, "/echo?x=1", "Cookie", cookie,
                "X-authentik-username", "mallory", "x-AUTHENTIK-groups", "admins|root",
                "X-authentik-meta-custom", "forged", "Authorization", "Bearer client-token");

        assertThat(response.statusCode()).isEqualTo(200);
        TestBackend.Recorded seen = backend.lastRecorded();
        assertThat(seen.header("X-authentik-username")).isEqualTo("alice");
        assertThat(seen.header("X-authentik-groups")).isEqualTo("admins|staff");
        assertThat(seen.header("X-authentik-entitlements")).isEqualTo("app:write");
        assertThat(seen.header("X-authentik-email")).isEqualTo("alice@example.test");
        assertThat(seen.header("X-authentik-name")).isEqualTo("Alice Example");
        assertThat(seen.header("X-authentik-uid")).isEqualTo("a11ce");
        assertThat(seen.header("X-authentik-jwt")).startsWith("eyJ");
        assertThat(seen.header("X-authentik-meta-app")).isEqualTo("app");
        assertThat(seen.header("X-authentik-meta-outpost")).isEqualTo("authentik Embedded Outpost");
        assertThat(seen.header("X-authentik-meta-provider")).isEqualTo("app-provider");
        assertThat(seen.header("X-authentik-meta-version")).startsWith("goauthentik.io/outpost/");
        assertThat(seen.header("X-authentik-meta-jwks")).isNotBlank();
        assertThat(seen.header("X-authentik-meta-custom")).as("a client header the outpost never sets").isNull();
        assertThat(seen.header("Authorization")).as("the outpost sent none, so the client's is gone too").isNull();
        assertThat(seen.headers().values().stream().flatMap(List::stream))
                .noneMatch(value -> value.contains("mallory") || value.contains("forged") || value.contains("root"));

        AuthentikOutpostDouble.Recorded asked = outpost.lastRecorded();
        assertThat(asked.method()).isEqualTo("GET");
        assertThat(asked.uri()).isEqualTo("/outpost.goauthentik.io/auth/nginx");
        assertThat(asked.header("X-Original-URL")).isEqualTo("http://" + authority() + "/echo?x=1");
        assertThat(asked.header("Host")).isEqualTo(authority());
        assertThat(asked.header("Cookie")).isEqualTo(cookie);
        assertThat(asked.header("Authorization")).isEqualTo("Bearer client-token");
        assertThat(asked.header("X-authentik-username")).isNull();
        assertThat(asked.header("Content-Length")).isNull();
        assertThat(metrics.decisions("app", "allowed")).isEqualTo(1);
    }

    @Test
    void aClientCannotMakeTheProxyDropTheIdentityByNamingItInConnection() throws Exception {
        startProxy();
        try (RawClient client = proxy.raw()) {
            client.send("GET /x HTTP/1.1\r\nHost: t\r\nCookie: " + outpost.signIn(ALICE)
                    + "\r\nConnection: keep-alive, X-authentik-username, X-Other\r\nX-authentik-username: mallory\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(backend.lastRecorded().header("X-authentik-username")).isEqualTo("alice");
    }

    @Test
    void theOutpostsAuthorizationReachesTheBackendWhenItSendsOne() throws Exception {
        startProxy();
        outpost.sendBasicAuthorization("Basic YWxpY2U6czNjcmV0");
        HttpResponse<String> response = get(proxy, "/x", "Cookie", outpost.signIn(ALICE),
                "Authorization", "Basic bWFsbG9yeTpndWVzcw==");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().header("Authorization")).isEqualTo("Basic YWxpY2U6czNjcmV0");
    }

    @Test
    void signedOutInNginxModeIsRedirectedToStartWithTheOriginalUrlEncoded() throws Exception {
        startProxy("mode", "nginx");
        String pathAndQuery = "/reports/2024/q1?title=a%20b&next=/home&sort=-date";

        HttpResponse<String> response = get(proxy, pathAndQuery, "X-authentik-username", "mallory");

        assertThat(response.statusCode()).isEqualTo(302);
        String original = "http://" + authority() + pathAndQuery;
        String location = response.headers().firstValue("Location").orElseThrow();
        assertThat(location).isEqualTo("/outpost.goauthentik.io/start?rd="
                + URLEncoder.encode(original, StandardCharsets.UTF_8));
        assertThat(location).contains("rd=http%3A%2F%2F127.0.0.1%3A").contains("%3Ftitle%3Da%2520b%26next%3D%2Fhome%26");
        String rd = location.substring(location.indexOf("rd=") + 3);
        assertThat(URLDecoder.decode(rd, StandardCharsets.UTF_8)).isEqualTo(original);
        assertThat(response.headers().allValues("Set-Cookie")).containsExactly(outpost.lastSetCookie());
        assertThat(outpost.lastSetCookie()).startsWith(outpost.cookieName() + "=");
        assertThat(backend.requestCount()).isZero();
        assertThat(metrics.decisions("app", "denied")).isEqualTo(1);
    }

    @Test
    void theWholeSignInRoundTripWorksThroughTheProxy() throws Exception {
        startProxy();
        HttpResponse<String> signedOut = get(proxy, "/dashboard?tab=1");
        assertThat(signedOut.statusCode()).isEqualTo(302);

        // The browser follows the redirect to the outpost's /start, through Hecate, unchecked.
        HttpResponse<String> start = get(proxy, signedOut.headers().firstValue("Location").orElseThrow());
        assertThat(start.statusCode()).isEqualTo(302);
        assertThat(start.headers().firstValue("Location")).hasValue("http://" + authority() + "/dashboard?tab=1");
        String setCookie = start.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        HttpResponse<String> signedIn = get(proxy, "/dashboard?tab=1", "Cookie", cookie);
        assertThat(signedIn.statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().header("X-authentik-username")).isEqualTo("akadmin");
        assertThat(backend.requestCount()).isEqualTo(1);
    }

    @Test
    void caddyModePassesTheOutpostsRedirectToTheClientUnchanged() throws Exception {
        startProxy("mode", "caddy");

        HttpResponse<String> response = get(proxy, "/app/page?a=1&b=%2F");

        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValue(outpost.lastLocation());
        assertThat(response.headers().allValues("Set-Cookie")).containsExactly(outpost.lastSetCookie());
        AuthentikOutpostDouble.Recorded asked = outpost.lastRecorded();
        assertThat(asked.uri()).isEqualTo("/outpost.goauthentik.io/auth/caddy");
        assertThat(asked.header("X-Forwarded-Method")).isEqualTo("GET");
        assertThat(asked.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(asked.header("X-Forwarded-Host")).isEqualTo(authority());
        assertThat(asked.header("X-Forwarded-Uri")).isEqualTo("/app/page?a=1&b=%2F");
        assertThat(asked.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(asked.header("X-Original-URL")).isNull();
        assertThat(backend.requestCount()).isZero();

        assertThat(get(proxy, "/app/page", "Cookie", outpost.signIn(ALICE)).statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().header("X-authentik-username")).isEqualTo("alice");
    }

    @Test
    void traefikModeUsesItsOwnEndpoint() throws Exception {
        startProxy("mode", "traefik");
        assertThat(get(proxy, "/x").statusCode()).isEqualTo(302);
        assertThat(outpost.calls("/auth/traefik")).isEqualTo(1);
    }

    @Test
    void theCallbackReachesTheOutpostWithoutAnAuthCheck() throws Exception {
        startProxy();
        String returnTo = "http://" + authority() + "/after-login";
        String code = outpost.authorizationCode(ALICE, returnTo);

        HttpResponse<String> callback = get(proxy, "/outpost.goauthentik.io/callback?code=" + code + "&state=s");

        assertThat(callback.statusCode()).isEqualTo(302);
        assertThat(callback.headers().firstValue("Location")).hasValue(returnTo);
        assertThat(outpost.calls("/callback")).isEqualTo(1);
        assertThat(outpost.authCalls()).as("no auth check for the outpost's own paths").isZero();
        assertThat(backend.requestCount()).isZero();

        String setCookie = callback.headers().firstValue("Set-Cookie").orElseThrow();
        HttpResponse<String> after = get(proxy, "/after-login", "Cookie", setCookie.substring(0, setCookie.indexOf(';')));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().header("X-authentik-username")).isEqualTo("alice");
    }

    @Test
    void theOutpostRouteExistsOnlyOnTheProtectedRoutesHost() throws Exception {
        proxy = guarded(new AuthentikFilterFactory(metrics), settings(), backend, "app.test", ProxyFixture.baseConfig());
        try (RawClient client = proxy.raw()) {
            client.send("GET /outpost.goauthentik.io/start?rd=%2Fhome HTTP/1.1\r\nHost: app.test\r\n\r\n");
            RawResponse start = client.readResponse();
            assertThat(start.status()).isEqualTo(302);
            assertThat(start.header("Location")).isEqualTo("/home");
            client.send("GET /outpost.goauthentik.io/start?rd=%2Fhome HTTP/1.1\r\nHost: other.test\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(404);
            client.send("GET /home HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(client.readResponse().status()).as("the rest of the host stays guarded").isEqualTo(302);
        }
        assertThat(outpost.calls("/start")).isEqualTo(1);
        assertThat(proxy.admin("/routes").body()).contains("authentik-app");
    }

    @Test
    void outpostStoppedMeans503NamingItAndTheBackendSeesNothing() throws Exception {
        startProxy();
        String cookie = outpost.signIn(ALICE);
        assertThat(get(proxy, "/x", "Cookie", cookie).statusCode()).isEqualTo(200); // leaves a pooled connection
        outpost.close();

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = get(proxy, "/x", "Cookie", cookie);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).isEqualTo("503 Service Unavailable: authentik outpost " + outpost.url()
                    + " refused the connection\n");
        }
        assertThat(backend.requestCount()).isEqualTo(1);
        assertThat(metrics.decisions("app", "unavailable")).isEqualTo(3);
    }

    @Test
    void slowOutpostMeans504AfterTheTimeout() throws Exception {
        startProxy("timeout", "300ms");
        outpost.delay(Duration.ofSeconds(10));

        long start = System.nanoTime();
        HttpResponse<String> response = get(proxy, "/x", "Cookie", outpost.signIn(ALICE));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.body()).isEqualTo("504 Gateway Timeout: authentik outpost " + outpost.url()
                + " did not answer within 300ms\n");
        assertThat(tookMillis).isBetween(300L, 5_000L);
        assertThat(backend.requestCount()).isZero();
        assertThat(metrics.decisions("app", "timeout")).isEqualTo(1);
    }

    @Test
    void aFailingOutpostOpensTheCircuitBreakerWhichClosesAgainWhenItRecovers() throws Exception {
        startProxy("circuit_breaker", Map.of("minimum_calls", 4, "window", 4, "open_for", "300ms"));
        String cookie = outpost.signIn(ALICE);
        outpost.failWith(500);
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> failed = get(proxy, "/x", "Cookie", cookie);
            assertThat(failed.statusCode()).as("the outpost's own answer is passed on").isEqualTo(500);
            assertThat(failed.body()).isEqualTo("outpost failing on purpose");
        }
        HttpResponse<String> open = get(proxy, "/x", "Cookie", cookie);
        assertThat(open.statusCode()).isEqualTo(503);
        assertThat(open.body()).contains("authentik outpost " + outpost.url()).contains("circuit breaker open");
        assertThat(outpost.authCalls()).isEqualTo(4);
        assertThat(metrics.render()).contains("hecate_auth_circuit_open{service=\"" + outpost.url() + "\"} 1");

        outpost.failWith(0);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(proxy, "/x", "Cookie", cookie).statusCode() == 200);
        assertThat(metrics.render()).contains("hecate_auth_circuit_open{service=\"" + outpost.url() + "\"} 0");
        assertThat(backend.requestCount()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aThousandConcurrentRequestsWithOneSessionShareFewChecks() throws Exception {
        startProxy();
        outpost.delay(Duration.ofMillis(200));
        String cookie = outpost.signIn(ALICE);

        List<HttpResponse<String>> responses = concurrently(1000, cookie);

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        LOG.info("coalescing: 1000 concurrent requests, " + outpost.authCalls() + " auth calls");
        assertThat(outpost.authCalls()).as("auth calls for 1000 concurrent requests").isLessThanOrEqualTo(100);
        assertThat(metrics.coalesced(outpost.url())).isEqualTo(1000 - outpost.authCalls());
        assertThat(backend.requestCount()).isEqualTo(1000);
        assertThat(backend.recorded()).allSatisfy(r -> assertThat(r.header("X-authentik-username")).isEqualTo("alice"));
    }

    @Test
    void withoutCoalescingEveryRequestIsCheckedOnItsOwn() throws Exception {
        startProxy("coalesce", false);
        outpost.delay(Duration.ofMillis(100));
        List<HttpResponse<String>> responses = concurrently(100, outpost.signIn(ALICE));
        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        assertThat(outpost.authCalls()).isEqualTo(100);
    }

    @Test
    void concurrentChecksForDifferentUrlsAreNeverShared() throws Exception {
        // An outpost may answer differently per URL (unauthenticated paths): only identical subrequests coalesce.
        startProxy();
        outpost.delay(Duration.ofMillis(200));
        String cookie = outpost.signIn(ALICE);
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(ProxyFixture.HTTP.sendAsync(request(proxy.uri("/page/" + i), "Cookie", cookie),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : futures) {
            assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(outpost.authCalls()).isEqualTo(20);
    }

    @Test
    void positiveDecisionsAreCachedOnlyWhenAskedAndOnlyForSignedInSessions() throws Exception {
        startProxy("cache_ttl", "1m");
        String cookie = outpost.signIn(ALICE);
        for (int i = 0; i < 5; i++) {
            assertThat(get(proxy, "/page/" + i, "Cookie", cookie, "X-authentik-username", "mallory").statusCode())
                    .isEqualTo(200);
            assertThat(backend.lastRecorded().header("X-authentik-username")).isEqualTo("alice");
        }
        assertThat(outpost.authCalls()).as("one check per event loop at most").isBetween(1, 2);
        assertThat(metrics.cacheHits("app")).isEqualTo(5 - outpost.authCalls());

        int before = outpost.authCalls();
        for (int i = 0; i < 3; i++) {
            assertThat(get(proxy, "/page", "Cookie", outpost.cookieName() + "=unknown-session").statusCode()).isEqualTo(302);
        }
        assertThat(outpost.authCalls() - before).as("refusals are never cached").isEqualTo(3);
    }

    @Test
    void withoutTheCacheEveryRequestIsChecked() throws Exception {
        startProxy();
        String cookie = outpost.signIn(ALICE);
        for (int i = 0; i < 3; i++) {
            assertThat(get(proxy, "/x", "Cookie", cookie).statusCode()).isEqualTo(200);
        }
        assertThat(outpost.authCalls()).isEqualTo(3);
        assertThat(metrics.render())
                .contains("hecate_auth_decisions_total{route=\"app\",filter=\"authentik\",outcome=\"allowed\"} 3")
                .contains("hecate_auth_service_requests_total{service=\"" + outpost.url() + "\",status=\"2xx\"} 3")
                .contains("hecate_auth_duration_seconds_count{route=\"app\",filter=\"authentik\"} 3");
    }

    private List<HttpResponse<String>> concurrently(int count, String cookie) throws Exception {
        URI uri = proxy.uri("/same/page");
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            futures.add(ProxyFixture.HTTP.sendAsync(request(uri, "Cookie", cookie), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses = new ArrayList<>(count);
        for (CompletableFuture<HttpResponse<String>> future : futures) {
            responses.add(future.get(60, TimeUnit.SECONDS));
        }
        return responses;
    }
}
