package io.hecate.core.proxy;

import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.ListenConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawBackend;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hop-by-hop headers stop at the proxy in both directions (RFC 9110 7.6.1), and the backend learns
 * who the client was through X-Forwarded-For/-Proto/-Host and Via, believed only from trusted peers.
 */
class HeaderForwardingTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private RawBackend rawBackend;
    @AutoClose
    private ProxyFixture proxy;

    private ProxyFixture startProxy(String target, List<String> trustedProxies) throws Exception {
        ListenConfig listen = new ListenConfig(new ListenAddress("127.0.0.1", 0), Duration.ofSeconds(5),
                Duration.ofSeconds(30), ListenConfig.DEFAULT_MAX_REQUEST_LINE, ListenConfig.DEFAULT_MAX_HEADER_BYTES,
                trustedProxies);
        return ProxyFixture.start(ProxyFixture.baseConfig()
                .listen(listen)
                .upstream("app", UpstreamConfig.of(target))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build());
    }

    @Test
    void hopByHopRequestHeadersNeverReachTheBackendAndForwardingHeadersAreSet() throws Exception {
        backend = TestBackend.start();
        proxy = startProxy(backend.address(), List.of());

        try (RawClient client = proxy.raw()) {
            client.send("GET /echo HTTP/1.1\r\n"
                    + "Host: Shop.Example:8080\r\n"
                    + "Connection: close, X-Drop-Me\r\n"
                    + "X-Drop-Me: 1\r\n"
                    + "Keep-Alive: 5\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "Upgrade: foo\r\n"
                    + "TE: deflate\r\n"
                    + "X-Keep-Me: yes\r\n"
                    + "X-Forwarded-For: 6.6.6.6\r\n"
                    + "X-Forwarded-Proto: https\r\n"
                    + "X-Forwarded-Host: evil.example\r\n"
                    + "\r\n");
            RawResponse response = client.readResponse();
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.header("Connection")).as("client asked to close").isEqualTo("close");
            assertThat(client.closedByPeer(Duration.ofSeconds(3))).isTrue();
        }

        TestBackend.Recorded seen = backend.lastRecorded();
        for (String hopByHop : List.of("Connection", "X-Drop-Me", "Keep-Alive", "Proxy-Connection", "Upgrade", "TE")) {
            assertThat(seen.header(hopByHop)).as("%s reached the backend (it saw %s)", hopByHop, seen.headers())
                    .isNull();
        }
        assertThat(seen.header("X-Keep-Me")).isEqualTo("yes");
        assertThat(seen.header("Host")).as("Host preserved").isEqualTo("Shop.Example:8080");
        assertThat(seen.header("X-Forwarded-For")).as("untrusted client's X-Forwarded-For replaced").isEqualTo("127.0.0.1");
        assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.header("X-Forwarded-Host")).as("the Host the client sent").isEqualTo("Shop.Example:8080");
        assertThat(seen.header("Via")).contains("hecate");
    }

    @Test
    void connectionHeaderCannotStripHostOrContentLength() throws Exception {
        backend = TestBackend.start();
        proxy = startProxy(backend.address(), List.of());

        try (RawClient client = proxy.raw()) {
            client.send("POST /echo HTTP/1.1\r\nHost: app.test\r\nConnection: Host, Content-Length\r\n"
                    + "Content-Length: 5\r\n\r\nhello");
            RawResponse response = client.readResponse();
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("hello");
        }
        assertThat(backend.lastRecorded().header("Host")).isEqualTo("app.test");
    }

    @Test
    void xForwardedForFromATrustedPeerIsExtended() throws Exception {
        backend = TestBackend.start();
        proxy = startProxy(backend.address(), List.of("127.0.0.1/32"));

        try (RawClient client = proxy.raw()) {
            client.send("GET /echo HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-For: 1.2.3.4\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: public.example\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }

        TestBackend.Recorded seen = backend.lastRecorded();
        assertThat(seen.header("X-Forwarded-For")).isEqualTo("1.2.3.4, 127.0.0.1");
        assertThat(seen.header("X-Forwarded-Proto")).as("a trusted proxy's scheme is kept").isEqualTo("https");
        assertThat(seen.header("X-Forwarded-Host")).as("a trusted proxy's host is kept").isEqualTo("public.example");
        assertThat(seen.header("Via")).contains("hecate");
    }

    /**
     * RFC 9110 5.3: several field lines of one name are one comma-separated list. A trusted peer
     * that sends X-Forwarded-For on two lines has reported two hops; both must be kept, in order.
     */
    @Test
    void xForwardedForOnTwoLinesFromATrustedPeerKeepsBothHops() throws Exception {
        backend = TestBackend.start();
        proxy = startProxy(backend.address(), List.of("127.0.0.1/32"));

        try (RawClient client = proxy.raw()) {
            client.send("GET /echo HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-For: 1.1.1.1\r\n"
                    + "X-Forwarded-For: 2.2.2.2\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }

        // header() joins the field lines the backend received with ", ", as RFC 9110 5.3 combines them.
        assertThat(backend.lastRecorded().header("X-Forwarded-For"))
                .as("X-Forwarded-For the backend received (all field lines, combined)")
                .isEqualTo("1.1.1.1, 2.2.2.2, 127.0.0.1");
    }

    @Test
    void hopByHopResponseHeadersNeverReachTheClient() throws Exception {
        rawBackend = RawBackend.start(conn -> {
            for (int i = 0; i < 10 && conn.readRequest() != null; i++) {
                conn.write("HTTP/1.1 200 OK\r\n"
                        + "Content-Length: 2\r\n"
                        + "Connection: keep-alive, X-Secret\r\n"
                        + "X-Secret: s\r\n"
                        + "Keep-Alive: timeout=5, max=100\r\n"
                        + "Upgrade: h2c\r\n"
                        + "X-Kept: yes\r\n"
                        + "\r\n"
                        + "ok");
            }
        });
        proxy = startProxy(rawBackend.address(), List.of());

        try (RawClient client = proxy.raw()) {
            client.send("GET /r HTTP/1.1\r\nHost: app.test\r\n\r\n");
            RawResponse response = client.readResponse();

            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("ok");
            assertThat(response.hasHeader("X-Secret")).as("header named in the backend's Connection").isFalse();
            assertThat(response.hasHeader("Keep-Alive")).isFalse();
            assertThat(response.hasHeader("Upgrade")).isFalse();
            assertThat(response.hasHeader("Connection")).as("the backend's Connection header").isFalse();
            assertThat(response.header("X-Kept")).isEqualTo("yes");
            assertThat(response.header("Via")).contains("hecate");
        }
    }

    /** The backend closing its connection is its business: the client's connection stays open. */
    @Test
    void backendConnectionCloseDoesNotCloseTheClientConnection() throws Exception {
        rawBackend = RawBackend.start(conn -> {
            if (conn.readRequest() != null) {
                String body = "conn-" + conn.index();
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
            }
        });
        proxy = startProxy(rawBackend.address(), List.of());

        try (RawClient client = proxy.raw()) {
            for (int i = 1; i <= 3; i++) {
                client.send("GET /r HTTP/1.1\r\nHost: app.test\r\n\r\n");
                RawResponse response = client.readResponse();
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("conn-" + i);
                assertThat(response.header("Connection")).as("request %d", i).isNull();
            }
        }
    }
}
