package io.hecate.core.proxy;

import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.ListenConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests a strict HTTP/1.1 parser must refuse: each gets a clear 4xx with a reason in the body,
 * never reaches the backend, and the connection is closed afterwards (after a framing error the
 * proxy cannot know where the next request would start, so keeping the connection would invite
 * request smuggling).
 */
class MalformedRequestTest {

    private static final int MAX_REQUEST_LINE = 256;
    private static final int MAX_HEADER_BYTES = 1024;

    private static TestBackend backend;
    private static ProxyFixture proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start();
        ListenConfig listen = new ListenConfig(new ListenAddress("127.0.0.1", 0), Duration.ofSeconds(5),
                Duration.ofSeconds(30), MAX_REQUEST_LINE, MAX_HEADER_BYTES, List.of());
        proxy = ProxyFixture.start(ProxyFixture.baseConfig()
                .listen(listen)
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
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

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("request line of three words that are not HTTP", 400,
                        "NOT-HTTP AT ALL\r\nHost: t\r\n\r\n"),
                Arguments.of("request line without a version", 400,
                        "GET /no-version\r\nHost: t\r\n\r\n"),
                Arguments.of("request line longer than max_request_line", 414,
                        "GET /" + "a".repeat(2 * MAX_REQUEST_LINE) + " HTTP/1.1\r\nHost: t\r\n\r\n"),
                Arguments.of("header section larger than max_header_size", 431,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(2 * MAX_HEADER_BYTES) + "\r\n\r\n"),
                Arguments.of("both Content-Length and Transfer-Encoding", 400,
                        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("two differing Content-Length headers", 400,
                        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("header name with a space", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n"),
                Arguments.of("header name with a control character", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-\u0001Bad: x\r\n\r\n"),
                Arguments.of("header value with a control character", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-Value: a\u0001b\r\n\r\n"),
                Arguments.of("obs-fold (header continued on the next line)", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n  continued\r\n\r\n"),
                Arguments.of("obs-fold with a tab", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n\tcontinued\r\n\r\n"),
                Arguments.of("whitespace between header name and colon", 400,
                        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("header value with a NUL", 400,
                        "GET / HTTP/1.1\r\nHost: t\r\nX-Value: a\u0000b\r\n\r\n"),
                Arguments.of("bare LF line endings", 400,
                        "GET / HTTP/1.1\nHost: t\n\n"),
                Arguments.of("Transfer-Encoding other than chunked", 400,
                        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nhello"),
                Arguments.of("Transfer-Encoding whose final coding is not chunked", 400,
                        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                                + "5\r\nhello\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badRequests")
    void isRefusedWithAReasonNeverForwardedAndTheConnectionClosed(String what, int status, String request)
            throws Exception {
        int reachedBefore = backend.requestCount();
        try (RawClient client = proxy.raw()) {
            client.send(request);
            RawResponse response = client.readResponse();

            assertThat(response.status()).as("%s: %s", what, response).isEqualTo(status);
            assertThat(response.bodyText()).as("reason in the body").isNotBlank();
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).as("connection closed after " + what).isTrue();
        }
        assertThat(backend.requestCount() - reachedBefore).as("requests that reached the backend").isZero();
    }

    /** The fold check must not depend on the whole head arriving in one read. */
    @Test
    void obsFoldSentOneByteAtATimeIsRefused() throws Exception {
        int reachedBefore = backend.requestCount();
        byte[] request = "GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n continued\r\nX-B: 2\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (RawClient client = proxy.raw()) {
            for (byte b : request) {
                client.send(new byte[] {b});
            }
            RawResponse response = client.readResponse();

            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.bodyText()).isNotBlank();
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).as("connection closed").isTrue();
        }
        assertThat(backend.requestCount() - reachedBefore).as("requests that reached the backend").isZero();
    }

    /**
     * A framing error inside a chunked body (after the head went upstream): 400 and the connection closed.
     * Its own backend, because this head does reach a backend, possibly after the test ends, and must not
     * be counted against the tests that assert nothing was forwarded.
     */
    @Test
    void invalidChunkSizeInTheBodyGets400AndClosesTheConnection() throws Exception {
        try (TestBackend ownBackend = TestBackend.start("chunked");
             ProxyFixture ownProxy = ProxyFixture.start(ProxyFixture.baseConfig()
                     .upstream("app", UpstreamConfig.of(ownBackend.address()))
                     .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                     .build());
             RawClient client = ownProxy.raw()) {
            client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\nZZ-not-hex\r\nmore\r\n0\r\n\r\n");
            RawResponse response = client.readResponse();

            assertThat(response.status()).as(response.toString()).isEqualTo(400);
            assertThat(response.bodyText()).isNotBlank();
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).as("connection closed").isTrue();
        }
    }

    @Test
    void aWellFormedRequestStillGoesThrough() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("GET /fine HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("ok /fine");
        }
    }

    /** The slowloris guard: a head that does not complete within header_timeout gets 408 and a close. */
    @Test
    void requestHeadNotCompleteWithinTheHeaderTimeoutGets408() throws Exception {
        ListenConfig listen = new ListenConfig(new ListenAddress("127.0.0.1", 0), Duration.ofMillis(300),
                Duration.ofSeconds(30), ListenConfig.DEFAULT_MAX_REQUEST_LINE, ListenConfig.DEFAULT_MAX_HEADER_BYTES,
                List.of());
        int reachedBefore = backend.requestCount();
        try (ProxyFixture slowGuard = ProxyFixture.start(ProxyFixture.baseConfig()
                .listen(listen)
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build());
             RawClient client = slowGuard.raw()) {
            long started = System.nanoTime();
            client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Partial: ");
            RawResponse response = client.readResponse();
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(response.status()).as(response.toString()).isEqualTo(408);
            assertThat(response.bodyText()).isNotBlank();
            assertThat(elapsedMillis).isBetween(250L, 3000L);
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }
        assertThat(backend.requestCount() - reachedBefore).isZero();
    }
}
