package io.hecate.core.proxy;

import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** When the proxy cannot get an answer it says which and why: 502, 504, 404. */
class UpstreamFailureTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;

    @Test
    void backendDownGets502NamingTheUpstreamAndTheCause() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closedPort = socket.getLocalPort();
        }
        String target = "127.0.0.1:" + closedPort;
        proxy = ProxyFixture.proxyTo(target);

        try (RawClient client = proxy.raw()) {
            for (int i = 0; i < 2; i++) {
                client.send("GET /down HTTP/1.1\r\nHost: t\r\n\r\n");
                RawResponse response = client.readResponse();

                assertThat(response.status()).as(response.toString()).isEqualTo(502);
                assertThat(response.bodyText())
                        .startsWith("502 Bad Gateway: cannot connect to upstream app (" + target + ")")
                        .containsIgnoringCase("connection refused");
            }
        }
        // The response goes out before the exchange records its metrics: wait for them.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(proxy.metricOrZero("hecate_requests_total", "route", "app", "status", "5xx")).isEqualTo(2));
    }

    @Test
    void backendSlowerThanTheRouteTimeoutGets504WithinTheTimeout() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.start(ProxyFixture.baseConfig()
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"),
                        ProxyAction.to("app").withTimeout(Duration.ofMillis(300))))
                .build());

        try (RawClient client = proxy.raw()) {
            long started = System.nanoTime();
            client.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse response = client.readResponse();
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(response.status()).as(response.toString()).isEqualTo(504);
            assertThat(response.bodyText()).startsWith("504 Gateway Timeout: upstream app (" + backend.address() + ")")
                    .contains("300ms");
            assertThat(elapsedMillis).as("time to the 504").isBetween(250L, 2000L);

            // A 504 is not a framing error: the client connection serves the next request.
            client.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse next = client.readResponse();
            assertThat(next.status()).as(next.toString()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("ok /fast");
        }
        assertThat(backend.requestCount()).isEqualTo(2);
    }

    @Test
    void noMatchingRouteGets404SayingSo() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.start(ProxyFixture.baseConfig()
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/app/"), ProxyAction.to("app")))
                .build());

        try (RawClient client = proxy.raw()) {
            client.send("GET /elsewhere?x=1 HTTP/1.1\r\nHost: Shop.Example:8080\r\n\r\n");
            RawResponse response = client.readResponse();

            assertThat(response.status()).as(response.toString()).isEqualTo(404);
            assertThat(response.bodyText()).startsWith("404 Not Found: no route matched")
                    .contains("shop.example/elsewhere");
            // A 404 is not a framing error: the connection serves the next request.
            client.send("GET /app/x HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);
        }
        assertThat(backend.requestCount()).isEqualTo(1);
    }
}
