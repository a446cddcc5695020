package io.hecate.core.proxy;

import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.ListenConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.CommandLineClient;
import io.hecate.core.testing.Curl;
import io.hecate.core.testing.H2Client;
import io.hecate.core.testing.LeakWatcher;
import io.hecate.core.testing.Nghttp;
import io.hecate.core.testing.Pattern;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawBackend;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP/2 from clients over cleartext, to an HTTP/1.1 backend: prior knowledge (curl, a Netty
 * client) and {@code Upgrade: h2c} (the JDK client), one exchange per stream, many streams on one
 * connection, and the HTTP/1.1 requests that must not be mistaken for an upgrade.
 */
class Http2DownstreamTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    @AutoClose
    private H2Client h2;
    @AutoClose
    private RawBackend rawBackend;
    @AutoClose
    private LeakWatcher leaks;

    @Test
    void jdkClientUpgradesWithH2cAndItsRequestsReachTheHttp11BackendWithoutHttp2Headers() throws Exception {
        leaks = LeakWatcher.install();
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(2)).build();

        HttpResponse<String> first = client.send(HttpRequest.newBuilder(proxy.uri("/hello?x=1"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.version()).as("the upgrade succeeded").isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(first.body()).isEqualTo("ok /hello?x=1");

        // Later requests are streams of the upgraded connection, with bodies both ways.
        byte[] upload = Pattern.random(300_000, 7);
        HttpResponse<byte[]> echoed = client.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(echoed.body()).isEqualTo(upload);
        assertThat(echoed.headers().firstValue("x-echo-method")).hasValue("POST");

        HttpResponse<byte[]> download = client.send(HttpRequest.newBuilder(proxy.uri("/bytes?n=1000000"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.body()).isEqualTo(Pattern.bytes(1_000_000));

        assertThat(proxy.metricOrZero("hecate_downstream_connections_total")).as("one connection for all three").isEqualTo(1);
        for (TestBackend.Recorded seen : backend.recorded()) {
            assertThat(seen.headers().keySet()).as("headers the backend saw for " + seen.uri())
                    .noneMatch(name -> name.toLowerCase().startsWith("x-http2-"))
                    .noneMatch(name -> name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("http2-settings"));
            assertThat(seen.header("Host")).isEqualTo("127.0.0.1:" + proxy.http().getPort());
            assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("http");
        }
        assertThat(leaks.collect()).isEmpty();
    }

    @Test
    void curlWithPriorKnowledgeGetsTheBackendsResponse(@TempDir Path dir) throws Exception {
        assertThat(Curl.available()).as("curl on PATH (.ci/run installs it)").isTrue();
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        Path body = dir.resolve("body");

        CommandLineClient.Result result = Curl.run(dir, "-sS", "--http2-prior-knowledge", "-o", body.toString(),
                "-w", "%{http_version} %{http_code}", proxy.uri("/bytes?n=200000").toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).isEqualTo("2 200");
        assertThat(Files.readAllBytes(body)).isEqualTo(Pattern.bytes(200_000));
    }

    @Test
    void hundredConcurrentStreamsOnOneConnectionAllGetTheirOwnBody() throws Exception {
        leaks = LeakWatcher.install();
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        h2 = H2Client.connect(proxy.http());
        assertThat(h2.serverSettings().maxConcurrentStreams()).isEqualTo(ListenConfig.DEFAULT_MAX_CONCURRENT_STREAMS);

        List<CompletableFuture<H2Client.Response>> responses = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            responses.add(h2.get("/bytes?n=" + (1000 + 997 * i)));
        }
        for (int i = 0; i < 100; i++) {
            H2Client.Response response = responses.get(i).get(20, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).as("stream %d", response.streamId()).isEqualTo(Pattern.bytes(1000 + 997 * i));
            assertThat(response.header("connection")).isNull();
            assertThat(response.header("transfer-encoding")).isNull();
        }
        assertThat(backend.requestCount()).isEqualTo(100);
        assertThat(proxy.metricOrZero("hecate_downstream_connections_total")).isEqualTo(1);
        assertThat(h2.isOpen()).isTrue();
        assertThat(leaks.collect()).isEmpty();
    }

    @Test
    void requestBodyTrailersAndLocalAnswersOverHttp2() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.start(ProxyFixture.baseConfig()
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build());
        h2 = H2Client.connect(proxy.http());

        byte[] upload = Pattern.random(1_500_000, 3);
        H2Client.Response echoed = h2.send("POST", "/echo", Map.of("content-type", "application/octet-stream"), upload)
                .get(10, TimeUnit.SECONDS);
        assertThat(echoed.status()).isEqualTo(200);
        assertThat(echoed.body()).isEqualTo(upload);
        // No content-length on the HTTP/2 request: re-framed chunked for the HTTP/1.1 backend.
        assertThat(echoed.header("x-echo-content-length")).isNull();
        assertThat(echoed.header("x-echo-transfer-encoding")).isEqualTo("chunked");

        // HEAD: headers only, one HEADERS frame.
        H2Client.Response head = h2.send("HEAD", "/bytes?n=5000", Map.of(), null).get(10, TimeUnit.SECONDS);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("content-length")).isEqualTo("5000");
        assertThat(head.body()).isEmpty();

        // A request target longer than listen.max_request_line is refused as on HTTP/1.1.
        H2Client.Response tooLong = h2.get("/" + "a".repeat(ListenConfig.DEFAULT_MAX_REQUEST_LINE + 10))
                .get(10, TimeUnit.SECONDS);
        assertThat(tooLong.status()).isEqualTo(414);
        assertThat(h2.isOpen()).as("a refused stream leaves the connection alone").isTrue();

        H2Client.Response after = h2.get("/still-there").get(10, TimeUnit.SECONDS);
        assertThat(new String(after.body(), StandardCharsets.UTF_8)).isEqualTo("ok /still-there");
    }

    @Test
    void maxConcurrentStreamsIsAdvertised() throws Exception {
        backend = TestBackend.start();
        ListenConfig listen = ListenConfig.on(new ListenAddress("127.0.0.1", 0)).withMaxConcurrentStreams(17);
        proxy = ProxyFixture.start(ProxyFixture.baseConfig().listen(listen)
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build());
        h2 = H2Client.connect(proxy.http());
        assertThat(h2.serverSettings().maxConcurrentStreams()).isEqualTo(17L);
        assertThat(h2.get("/x").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void webSocketUpgradeAndAnH2cUpgradeWithABodyStayOnHttp11() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());

        try (RawClient client = proxy.raw()) {
            client.send("GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).as("handed to the exchange, not to the h2c upgrade").isNotEqualTo(101);
            assertThat(response.header("Upgrade")).isNotEqualTo("h2c");
            assertThat(backend.lastRecorded().uri()).isEqualTo("/ws");
        }
        try (RawClient client = proxy.raw()) {
            client.send("POST /echo HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: 5\r\n\r\nhello");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("hello");
            assertThat(backend.lastRecorded().header("Upgrade")).isNull();
            // The connection is still HTTP/1.1.
            client.send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("ok /again");
        }
        try (RawClient client = proxy.raw()) {
            // Upgrade: h2c without HTTP2-Settings is declined and served over HTTP/1.1.
            client.send("GET /plain HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("ok /plain");
        }
    }

    @Test
    void idleConnectionsAndConnectionsThatNeverOpenAStreamGetGoAwayAndClose() throws Exception {
        backend = TestBackend.start();
        ListenConfig listen = new ListenConfig(new ListenAddress("127.0.0.1", 0), Duration.ofMillis(300),
                Duration.ofMillis(500), ListenConfig.DEFAULT_MAX_REQUEST_LINE, ListenConfig.DEFAULT_MAX_HEADER_BYTES,
                List.of());
        proxy = ProxyFixture.start(ProxyFixture.baseConfig().listen(listen)
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build());

        try (H2Client silent = H2Client.connect(proxy.http())) {
            await("no stream within header_timeout").atMost(Duration.ofSeconds(3)).until(() -> !silent.isOpen());
            assertThat(silent.goAways()).extracting(H2Client.GoAway::errorCode).containsExactly(0L);
        }
        h2 = H2Client.connect(proxy.http());
        H2Client.Response response = h2.get("/one").get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        await("idle after its stream").atMost(Duration.ofSeconds(3)).until(() -> !h2.isOpen());
        assertThat(h2.goAways()).extracting(H2Client.GoAway::lastStreamId).containsExactly(response.streamId());
    }

    @Test
    void anExchangeThatFailsMidResponseResetsItsStreamOnly() throws Exception {
        rawBackend = RawBackend.start(conn -> {
            if (conn.readRequest() != null) {
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
            }
        });
        proxy = ProxyFixture.proxyTo(rawBackend.address());
        h2 = H2Client.connect(proxy.http());
        CompletableFuture<H2Client.Response> cut = h2.get("/cut");
        assertThat(cut).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("stream reset by the server, error 8");
        assertThat(h2.isOpen()).as("only the stream is reset").isTrue();
    }

    @Test
    void aClientResetClosesTheStreamsUpstreamConnectionAndLeavesTheOthers() throws Exception {
        leaks = LeakWatcher.install();
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        h2 = H2Client.connect(proxy.http());
        H2Client.PacedDownload download = h2.download("/bytes?n=" + 64 * 1024 * 1024, 1024 * 1024);
        assertThat(download.status().get(10, TimeUnit.SECONDS)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> download.received() > 0);
        assertThat(proxy.metricOrZero("hecate_upstream_connections", "target", backend.address())).isEqualTo(1);

        download.cancel();
        await("the aborted exchange's upstream connection is closed, not pooled").atMost(Duration.ofSeconds(3))
                .until(() -> proxy.metricOrZero("hecate_upstream_connections", "target", backend.address()) == 0);
        assertThat(h2.get("/after").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(h2.isOpen()).isTrue();
        assertThat(leaks.collect()).isEmpty();
    }

    @Test
    void streamsOneAfterAnotherShareOnePooledUpstreamConnection() throws Exception {
        leaks = LeakWatcher.install();
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        h2 = H2Client.connect(proxy.http());
        for (int i = 0; i < 50; i++) {
            H2Client.Response response = h2.get("/bytes?n=" + (100 + i)).get(10, TimeUnit.SECONDS);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(Pattern.bytes(100 + i));
        }
        // A stream that ends with its response must not read as a client gone mid-exchange: that
        // would close the upstream connection instead of pooling it.
        assertThat(proxy.metricOrZero("hecate_upstream_connections_opened_total", "target", backend.address()))
                .isEqualTo(1);
        assertThat(backend.requestCount()).isEqualTo(50);
        assertThat(leaks.collect()).isEmpty();
    }

    @Test
    void aMalformedRequestCostsOnlyItsOwnStream() throws Exception {
        leaks = LeakWatcher.install();
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        h2 = H2Client.connect(proxy.http());
        // RFC 9113 8.1.1: a malformed request is a stream error (PROTOCOL_ERROR, code 1), not a connection error.
        for (String[] malformed : new String[][] {{"GET", "/a b"}, {"GE T", "/"}}) {
            assertThat(h2.send(malformed[0], malformed[1], Map.of(), null)).as(String.join(" ", malformed))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("stream reset by the server, error 1");
        }
        assertThat(h2.get("/after").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(h2.isOpen()).isTrue();
        assertThat(h2.goAways()).isEmpty();
        assertThat(backend.requestCount()).isEqualTo(1);
        assertThat(leaks.collect()).isEmpty();
    }

    @Test
    void aResponseLongerThanTheClientsWindowEndsItsStreamWithoutAReset(@TempDir Path dir) throws Exception {
        assertThat(Nghttp.available()).as("nghttp on PATH (.ci/run installs nghttp2-client)").isTrue();
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        // A 4 KiB stream window: the response's last DATA frame waits for a WINDOW_UPDATE,
        // so the exchange is over before its END_STREAM is on the wire.
        CommandLineClient.Result run = Nghttp.run(dir, "-nv", "--window-bits=12",
                "http://127.0.0.1:" + proxy.http().getPort() + "/bytes?n=300000");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("recv DATA frame").contains("END_STREAM");
        assertThat(run.output()).as("a stream both sides ended needs no RST_STREAM").doesNotContain("RST_STREAM");
    }
}
