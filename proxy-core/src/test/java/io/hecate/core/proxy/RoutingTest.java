package io.hecate.core.proxy;

import io.hecate.core.config.HeaderRules;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RedirectAction;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.CommandLineClient;
import io.hecate.core.testing.Curl;
import io.hecate.core.testing.Pattern;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route selection by specificity (docs/configuration.md, "Route matching"), path rewriting on the
 * way upstream, local answers, HEAD and 100-continue.
 */
class RoutingTest {

    private static TestBackend backend;
    private static ProxyFixture proxy;

    @TempDir
    Path dir;

    private static RouteConfig respond(String id, MatchConfig match) {
        return RouteConfig.of(id, match, new RespondAction(200, id, Map.of("X-Route", id)));
    }

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start();
        ProxyAction toApp = ProxyAction.to("app");
        // Listed least specific first wherever order could matter, so file order cannot explain a pass.
        proxy = ProxyFixture.start(ProxyFixture.baseConfig()
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(respond("fallback", MatchConfig.any()))
                .route(respond("regex", MatchConfig.any().withPathRegex("/num/[0-9]+")))
                .route(respond("wildcard-host", MatchConfig.host("*.example.com")))
                .route(respond("longer-wildcard-host", MatchConfig.host("*.eu.example.com")))
                .route(respond("exact-host", MatchConfig.host("app.example.com")))
                .route(respond("fallthrough-only", MatchConfig.host("fallthrough.test").withPath("/only")))
                .route(respond("api", MatchConfig.prefix("/api")))
                .route(respond("api-v2", MatchConfig.prefix("/api/v2")))
                .route(respond("exact-path", MatchConfig.any().withPath("/api/v2/status")))
                .route(respond("m-post-only", MatchConfig.any().withPath("/m").withMethods("POST")))
                .route(respond("m-any", MatchConfig.any().withPath("/m")))
                .route(respond("h-canary", MatchConfig.any().withPath("/h").withHeader("X-Env", "canary")))
                .route(respond("h-stable", MatchConfig.any().withPath("/h")))
                .route(RouteConfig.of("strip", MatchConfig.prefix("/strip"), toApp.withStripPrefix("/strip")))
                .route(RouteConfig.of("rewrite", MatchConfig.prefix("/old/"), new ProxyAction("app", null,
                        new ProxyAction.PathRewrite("^/old/(.*)", "/new/$1"), null, ProxyAction.DEFAULT_TIMEOUT,
                        HeaderRules.NONE, HeaderRules.NONE)))
                .route(RouteConfig.of("bytes", MatchConfig.prefix("/bytes"), toApp))
                .route(RouteConfig.of("echo", MatchConfig.prefix("/echo"), toApp))
                .route(RouteConfig.of("teapot", MatchConfig.any().withPath("/teapot"),
                        new RespondAction(418, "short and stout\n", Map.of("X-Teapot", "yes"))))
                .route(RouteConfig.of("to-https", MatchConfig.host("redirect.test"),
                        new RedirectAction(308, "https://{host}{uri}")))
                .build());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static RawResponse request(String method, String host, String target, String... extraHeaders)
            throws Exception {
        try (RawClient client = proxy.raw()) {
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append("\r\n");
            for (String header : extraHeaders) {
                head.append(header).append("\r\n");
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                head.append("Content-Length: 0\r\n");
            }
            client.send(head.append("\r\n").toString());
            return client.readResponse(method.equals("HEAD"));
        }
    }

    @ParameterizedTest(name = "{0} {1}{2} -> {3}")
    @CsvSource({
            // host: exact beats wildcard beats any; the longest wildcard suffix wins; case and port do not matter
            "GET, app.example.com, /api/v2/status, exact-host",
            "GET, APP.Example.COM:8080, /x, exact-host",
            "GET, shop.example.com, /api/v2/status, wildcard-host",
            "GET, a.b.example.com, /x, wildcard-host",
            "GET, shop.eu.example.com, /x, longer-wildcard-host",
            "GET, example.com, /x, fallback",
            "GET, other.test, /x, fallback",
            // a host bucket with no matching path falls through to less specific hosts
            "GET, fallthrough.test, /only, fallthrough-only",
            "GET, fallthrough.test, /api/x, api",
            // path: exact beats prefix, the longest prefix wins, prefix beats regex beats none
            "GET, other.test, /api, api",
            "GET, other.test, /api/x, api",
            "GET, other.test, /api/v2, api-v2",
            "GET, other.test, /api/v2/x, api-v2",
            "GET, other.test, /api/v2/status, exact-path",
            "GET, other.test, /api/v2/status/more, api-v2",
            "GET, other.test, /api/v2/status?verbose=1, exact-path",
            "GET, other.test, /num/42, regex",
            "GET, other.test, /num/4x2, fallback",
            // method and header conditions
            "POST, other.test, /m, m-post-only",
            "GET, other.test, /m, m-any",
            "PUT, other.test, /m, m-any",
    })
    void mostSpecificRouteWins(String method, String host, String target, String expectedRoute) throws Exception {
        RawResponse response = request(method, host, target);

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("X-Route")).isEqualTo(expectedRoute);
        assertThat(response.bodyText()).isEqualTo(expectedRoute);
    }

    @Test
    void headerConditionSelectsTheRoute() throws Exception {
        assertThat(request("GET", "other.test", "/h", "X-Env: canary").header("X-Route")).isEqualTo("h-canary");
        assertThat(request("GET", "other.test", "/h", "X-Env: other").header("X-Route")).isEqualTo("h-stable");
        assertThat(request("GET", "other.test", "/h").header("X-Route")).isEqualTo("h-stable");
    }

    @Test
    void stripPrefixRemovesThePrefixBeforeForwarding() throws Exception {
        assertThat(request("GET", "other.test", "/strip/echo/x?q=1&r=2").status()).isEqualTo(200);
        assertThat(backend.lastRecorded().uri()).isEqualTo("/echo/x?q=1&r=2");

        assertThat(request("GET", "other.test", "/strip").status()).isEqualTo(200);
        assertThat(backend.lastRecorded().uri()).as("nothing left but a slash").isEqualTo("/");
    }

    @Test
    void regexRewriteReplacesThePathAndKeepsTheQuery() throws Exception {
        RawResponse response = request("GET", "other.test", "/old/a/b?x=1");

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(backend.lastRecorded().uri()).isEqualTo("/new/a/b?x=1");
        assertThat(response.bodyText()).isEqualTo("ok /new/a/b?x=1");
    }

    @Test
    void respondRouteAnswersWithItsStatusHeadersAndBody() throws Exception {
        RawResponse response = request("GET", "other.test", "/teapot");

        assertThat(response.status()).isEqualTo(418);
        assertThat(response.header("X-Teapot")).isEqualTo("yes");
        assertThat(response.header("Content-Length")).isEqualTo("16");
        assertThat(response.bodyText()).isEqualTo("short and stout\n");
    }

    @Test
    void redirectRouteExpandsHostAndUriIntoTheLocation() throws Exception {
        RawResponse response = request("GET", "Redirect.Test:8080", "/a/b?c=d&e=f");

        assertThat(response.status()).isEqualTo(308);
        assertThat(response.header("Location")).isEqualTo("https://redirect.test/a/b?c=d&e=f");
        assertThat(backend.recorded()).noneMatch(r -> r.uri().startsWith("/a/b"));
    }

    @Test
    void headReturnsHeadersWithoutBodyAndTheConnectionServesTheNextRequest() throws Exception {
        int size = 5000;
        try (RawClient client = proxy.raw()) {
            client.send("HEAD /bytes?n=" + size + " HTTP/1.1\r\nHost: other.test\r\n\r\n");
            RawResponse head = client.readResponse(true);
            assertThat(head.status()).as(head.toString()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(size));

            // If the proxy had sent a body after the HEAD response, it would be read here as a status line.
            client.send("GET /bytes?n=" + size + " HTTP/1.1\r\nHost: other.test\r\n\r\n");
            RawResponse get = client.readResponse();
            assertThat(get.status()).as(get.toString()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(Pattern.bytes(size));

            client.send("HEAD /teapot HTTP/1.1\r\nHost: other.test\r\n\r\n");
            RawResponse localHead = client.readResponse(true);
            assertThat(localHead.status()).isEqualTo(418);
            assertThat(localHead.header("Content-Length")).isEqualTo("16");

            client.send("GET /teapot HTTP/1.1\r\nHost: other.test\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("short and stout\n");
        }
    }

    /**
     * Expect: 100-continue on a fresh upstream connection (a proxy of its own, so its pool is
     * empty): the head must reach the backend before any body byte, and the backend's 100 must
     * reach the client, which only then sends the body.
     */
    @Test
    void expect100ContinueGetsTheInterimResponseBeforeTheBodyIsSent() throws Exception {
        byte[] body = Pattern.random(64 * 1024, 7);
        int reachedBefore = backend.requestCount();
        try (ProxyFixture fresh = ProxyFixture.proxyTo(backend.address()); RawClient client = fresh.raw()) {
            client.send("POST /echo HTTP/1.1\r\nHost: other.test\r\nExpect: 100-continue\r\nContent-Length: "
                    + body.length + "\r\n\r\n");
            client.timeout(Duration.ofSeconds(3));
            RawClient.Head interim;
            try {
                interim = client.readHead();
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("no response to an Expect: 100-continue head within 3 s; request heads "
                        + "that reached the backend (which answers 100 as soon as it sees one): "
                        + (backend.requestCount() - reachedBefore), e);
            }
            assertThat(interim.status()).as("answer to the head alone").isEqualTo(100);

            client.send(body);
            client.timeout(Duration.ofSeconds(10));
            RawResponse response = client.readResponse();
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(body);

            client.send("GET /bytes?n=10 HTTP/1.1\r\nHost: other.test\r\n\r\n");
            assertThat(client.readResponse().body()).isEqualTo(Pattern.bytes(10));
        }
    }

    /** curl with Expect: 100-continue and a 2 MiB body, through a proxy of its own (fresh upstream connection). */
    @Test
    void curlPostingTwoMiBWithExpect100ContinueWorks() throws Exception {
        assertThat(Curl.available()).as("curl is on PATH (.ci/run installs it)").isTrue();
        byte[] body = Pattern.random(2 * 1024 * 1024, 11);
        Path in = Files.write(dir.resolve("in.bin"), body);
        Path out = dir.resolve("out.bin");
        long elapsedMillis;
        CommandLineClient.Result result;
        try (ProxyFixture fresh = ProxyFixture.proxyTo(backend.address())) {
            long started = System.nanoTime();
            // --expect100-timeout 4: were the 100 never forwarded, curl would wait 4 s before sending the body anyway.
            result = Curl.run(dir, "-sS", "--http1.1", "-H", "Expect: 100-continue", "--expect100-timeout",
                    "4", "--data-binary", "@" + in, "-o", out.toString(), "-w", "%{http_code}",
                    fresh.uri("/echo").toString());
            elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        }

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().trim()).isEqualTo("200");
        assertThat(Pattern.sha256(Files.readAllBytes(out))).isEqualTo(Pattern.sha256(body));
        assertThat(elapsedMillis).as("curl got its 100 Continue without waiting out the timeout").isLessThan(3000L);
        assertThat(backend.recorded()).anyMatch(r -> "100-continue".equalsIgnoreCase(r.header("Expect")));
    }

    @Test
    void routesAreListedByTheAdminApi() {
        String routes = proxy.admin("/routes").body();
        for (String id : List.of("fallback", "exact-host", "api-v2", "to-https")) {
            assertThat(routes).contains("\"" + id + "\"");
        }
    }

    /**
     * A local answer (respond route) to a request with a small Content-Length body: the body
     * is read and dropped, and the connection serves the next request.
     */
    @Test
    void localAnswersToRequestsWithSmallBodiesKeepTheConnectionUsable() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("POST /teapot HTTP/1.1\r\nHost: other.test\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(1000));
            RawResponse teapot = client.readResponse();
            assertThat(teapot.status()).isEqualTo(418);
            assertThat(teapot.header("Connection")).isNull();

            client.send("GET /bytes?n=10 HTTP/1.1\r\nHost: other.test\r\n\r\n");
            RawResponse next = client.readResponse();
            assertThat(next.status()).as(next.toString()).isEqualTo(200);
            assertThat(next.body()).isEqualTo(Pattern.bytes(10));
        }
    }

    /**
     * A local answer to a request whose body the proxy will not wait for (chunked, or larger than
     * it drains): either the connection stays usable, or the response says {@code Connection:
     * close} and the connection is closed; never a silent close.
     */
    @Test
    void localAnswerToAChunkedRequestAnnouncesACloseOrKeepsTheConnection() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("POST /teapot HTTP/1.1\r\nHost: other.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\n\r\n");
            RawResponse teapot = client.readResponse();
            assertThat(teapot.status()).isEqualTo(418);
            if ("close".equalsIgnoreCase(teapot.header("Connection"))) {
                assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
            } else {
                client.send("GET /bytes?n=10 HTTP/1.1\r\nHost: other.test\r\n\r\n");
                assertThat(client.readResponse().body()).isEqualTo(Pattern.bytes(10));
            }
        }
    }
}
