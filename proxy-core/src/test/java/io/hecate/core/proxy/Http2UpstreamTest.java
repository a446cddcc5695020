package io.hecate.core.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.config.UpstreamProtocol;
import io.hecate.core.testing.H2Backend;
import io.hecate.core.testing.H2Client;
import io.hecate.core.testing.LeakWatcher;
import io.hecate.core.testing.Pattern;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstreams with {@code protocol: h2c}: HTTP/1.1 and HTTP/2 clients alike are served over
 * multiplexed HTTP/2 connections; the upstream's trailers reach HTTP/1.1 clients as chunked
 * trailers; a slow client holds back only its own stream.
 */
class Http2UpstreamTest {

    private static final Logger LOG = LoggerFactory.getLogger(Http2UpstreamTest.class);

    private static final long MIB = 1024 * 1024;
    private static final String DIRECT = ProxyFixture.key("hecate_buffer_memory_bytes", "kind", "direct");

    @AutoClose
    private H2Backend backend;
    @AutoClose
    private ProxyFixture proxy;
    @AutoClose
    private H2Client h2;
    @AutoClose
    private LeakWatcher leaks;

    private void startProxy() throws Exception {
        backend = H2Backend.start();
        proxy = ProxyFixture.start(ProxyFixture.oneRoute(
                UpstreamConfig.of(backend.address()).withProtocol(UpstreamProtocol.H2C)));
    }

    @Test
    void fiftyConcurrentHttp11RequestsShareAFewMultiplexedConnections() throws Exception {
        leaks = LeakWatcher.install();
        startProxy();
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            responses.add(ProxyFixture.HTTP.sendAsync(HttpRequest.newBuilder(proxy.uri("/bytes?n=" + (5000 + i)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < 50; i++) {
            HttpResponse<byte[]> response = responses.get(i).get(20, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(Pattern.bytes(5000 + i));
            assertThat(response.headers().firstValue("x-http2-stream-id")).isEmpty();
        }
        assertThat(backend.streams()).isEqualTo(50);
        assertThat(backend.connections()).as("one connection per event loop at most (2 workers)").isBetween(1, 2);
        assertThat(proxy.metricOrZero("hecate_upstream_connections_opened_total", "target", backend.address()))
                .isEqualTo(backend.connections());
        assertThat(leaks.collect()).isEmpty();
    }

    @Test
    void anUpstreamThatAllowsTwoStreamsPerConnectionGetsMoreConnectionsNotRefusals() throws Exception {
        backend = H2Backend.start(2);
        proxy = ProxyFixture.start(ProxyFixture.oneRoute(
                UpstreamConfig.of(backend.address()).withProtocol(UpstreamProtocol.H2C)));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            responses.add(ProxyFixture.HTTP.sendAsync(HttpRequest.newBuilder(proxy.uri("/slow?ms=300"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertThat(response.get(20, TimeUnit.SECONDS).body()).isEqualTo("slow");
        }
        assertThat(backend.streams()).isEqualTo(8);
        assertThat(backend.connections()).as("8 streams at once, 2 per connection").isGreaterThanOrEqualTo(4);
    }

    @Test
    void trailersOfAnHttp2UpstreamReachAnHttp11ClientAsChunkedTrailers() throws Exception {
        startProxy();
        try (RawClient client = proxy.raw()) {
            client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTE: trailers\r\n\r\nhello");
            RawClient.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
            String rest = new String(client.input().readNBytes("5\r\nhello\r\n0\r\n".length()), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(rest).isEqualTo("5\r\nhello\r\n0\r\n");
            String trailer = io.hecate.core.testing.HttpWire.readLine(client.input());
            assertThat(trailer).isEqualToIgnoringCase("x-trailer: done");
        }
        assertThat(backend.requests().get(0).get("te")).hasToString("trailers");
    }

    @Test
    void http2ClientToHttp2UpstreamCarriesBodiesBothWays() throws Exception {
        startProxy();
        h2 = H2Client.connect(proxy.http());
        byte[] upload = Pattern.random(700_000, 11);
        H2Client.Response echoed = h2.send("POST", "/echo", Map.of(), upload).get(10, TimeUnit.SECONDS);
        assertThat(echoed.status()).isEqualTo(200);
        assertThat(echoed.body()).isEqualTo(upload);
        assertThat(echoed.trailers().get("x-trailer")).hasToString("done");
    }

    @Test
    void refusedStreamIsAnsweredWithBadGatewayNamingTheRefusal() throws Exception {
        startProxy();
        HttpResponse<String> refused = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/refuse"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(refused.body()).contains("REFUSED_STREAM");
        HttpResponse<String> fine = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/fine"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fine.body()).isEqualTo("h2 /fine");
    }

    /** As {@link BackpressureTest}, with the upstream side on HTTP/2: the upstream stream's window holds it back. */
    @Test
    void slowHttp11ClientOfAnHttp2UpstreamKeepsProxyMemorySmall() throws Exception {
        startProxy();
        long size = 64 * MIB;
        long rate = 16 * MIB;
        long before = proxy.metrics().get(DIRECT).longValue();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong maxDirect = new AtomicLong();
        Thread sampler = new Thread(() -> {
            for (int i = 0; i < 1000 && !done.get(); i++) {
                maxDirect.accumulateAndGet(proxy.metrics().get(DIRECT).longValue(), Math::max);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }, "metrics-sampler");
        sampler.setDaemon(true);
        long received = 0;
        long started = System.nanoTime();
        try (RawClient client = RawClient.connect(proxy.http(), 64 * 1024)) {
            client.send("GET /bytes?n=" + size + " HTTP/1.1\r\nHost: t\r\n\r\n");
            RawClient.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Long.toString(size));
            sampler.start();
            InputStream in = client.input();
            byte[] buffer = new byte[64 * 1024];
            while (received < size) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - received));
                assertThat(n).isPositive();
                assertThat(Pattern.firstMismatch(buffer, n, received)).isEqualTo(-1L);
                received += n;
                long aheadNanos = received * 1_000_000_000L / rate - (System.nanoTime() - started);
                if (aheadNanos > 0) {
                    LockSupport.parkNanos(aheadNanos);
                }
            }
        } finally {
            done.set(true);
            sampler.join(5000);
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        LOG.info(String.format("h2 upstream backpressure: %d bytes in %d ms, direct before=%d max=%d",
                received, elapsedMillis, before, maxDirect.get()));
        assertThat(received).isEqualTo(size);
        assertThat(maxDirect.get() - before).isLessThan(16 * MIB);
        // And the upstream stream finished cleanly: the next request reuses the connection.
        HttpResponse<String> next = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/next"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(next.body()).isEqualTo("h2 /next");
    }
}
