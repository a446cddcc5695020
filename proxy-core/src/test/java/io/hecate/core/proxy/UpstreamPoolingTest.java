package io.hecate.core.proxy;

import io.hecate.core.testing.Pattern;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawBackend;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Upstream connections are pooled and reused, and a pooled connection the upstream closed is never a 502. */
class UpstreamPoolingTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private RawBackend rawBackend;
    @AutoClose
    private ProxyFixture proxy;

    @Test
    void thousandSequentialKeepAliveRequestsReuseAHandfulOfUpstreamConnections() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        byte[] expected = Pattern.bytes(100);

        try (RawClient client = proxy.raw()) {
            for (int i = 0; i < 1000; i++) {
                client.send("GET /bytes?n=100&i=" + i + " HTTP/1.1\r\nHost: pool.test\r\n\r\n");
                RawResponse response = client.readResponse();
                assertThat(response.status()).as("request %d: %s", i, response).isEqualTo(200);
                assertThat(response.body()).as("request %d", i).isEqualTo(expected);
                assertThat(response.header("Connection")).as("request %d", i).isNull();
            }
        }

        String target = backend.address();
        long opened = proxy.metricOrZero("hecate_upstream_connections_opened_total", "target", target);
        long reused = proxy.metricOrZero("hecate_upstream_connections_reused_total", "target", target);
        assertThat(backend.requestCount()).isEqualTo(1000);
        assertThat(opened).as("upstream connections opened for 1000 sequential requests").isBetween(1L, 4L);
        assertThat(reused).as("requests that reused a pooled connection").isGreaterThanOrEqualTo(990L);
    }

    /**
     * The upstream answers one request with keep-alive, then closes the idle connection 100 ms
     * later (as a server with a short keep-alive timeout does). The next request must be served on
     * a fresh connection, not answered 502.
     */
    @Test
    void upstreamClosingAnIdlePooledConnectionNeverCausesA502() throws Exception {
        rawBackend = RawBackend.start(conn -> {
            RawBackend.Request request = conn.readRequest();
            if (request == null) {
                return;
            }
            String body = "conn-" + conn.index();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length()
                    + "\r\nConnection: keep-alive\r\nKeep-Alive: timeout=1\r\n\r\n" + body);
            // Keep-alive timeout of the upstream: close 100 ms after the response unless the peer closes first.
            conn.awaitPeerClose(100);
        });
        proxy = ProxyFixture.proxyTo(rawBackend.address());

        try (RawClient client = proxy.raw()) {
            for (int i = 1; i <= 5; i++) {
                client.send("GET /idle-close/" + i + " HTTP/1.1\r\nHost: pool.test\r\n\r\n");
                RawResponse response = client.readResponse();
                assertThat(response.status()).as("request %d: %s", i, response).isEqualTo(200);
                assertThat(response.bodyText()).as("served on a fresh upstream connection").isEqualTo("conn-" + i);
                int closedBefore = i;
                await("upstream closed its idle connection " + i).atMost(Duration.ofSeconds(3))
                        .until(() -> rawBackend.connectionsClosed() >= closedBefore);
            }
        }
        assertThat(rawBackend.requestCount()).isEqualTo(5);
    }

    /**
     * The race the pool cannot see coming: the upstream closes a pooled connection just as the
     * proxy sends the next request on it (the request is read, nothing is answered). A GET without
     * a body is safe to send again, so the client still gets 200 from a fresh connection.
     */
    @Test
    void upstreamClosingAReusedConnectionWithoutAnsweringIsRetriedForAnIdempotentRequest() throws Exception {
        rawBackend = RawBackend.start(conn -> {
            for (int served = 0; served < 10; served++) {
                RawBackend.Request request = conn.readRequest();
                if (request == null) {
                    return;
                }
                if (served == 1 && conn.index() == 1) {
                    return; // drop the second request on the first connection unanswered
                }
                String body = "conn-" + conn.index() + "-req-" + served;
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            }
        });
        proxy = ProxyFixture.proxyTo(rawBackend.address());

        try (RawClient client = proxy.raw()) {
            client.send("GET /first HTTP/1.1\r\nHost: pool.test\r\n\r\n");
            assertThat(client.readResponse().bodyText()).isEqualTo("conn-1-req-0");

            client.send("GET /second HTTP/1.1\r\nHost: pool.test\r\n\r\n");
            RawResponse second = client.readResponse();

            assertThat(second.status()).as(second.toString()).isEqualTo(200);
            assertThat(second.bodyText()).isEqualTo("conn-2-req-0");
        }
        assertThat(rawBackend.requestCount()).as("the second request was sent twice").isEqualTo(3);
    }
}
