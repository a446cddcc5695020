package io.hecate.core.proxy;

import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.LeakWatcher;
import io.hecate.core.testing.Pattern;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that vanish mid-exchange leave nothing behind: the upstream connection of the aborted
 * exchange is closed (never pooled, never left open), no buffer leaks, and the proxy keeps serving.
 */
class LeakHygieneTest {

    private static final int MIB = 1024 * 1024;
    /** Short, so the pool empties itself within the test once nothing is busy. */
    private static final Duration UPSTREAM_IDLE_TIMEOUT = Duration.ofMillis(500);

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    @AutoClose
    private LeakWatcher leaks;

    @Test
    void clientAbortsMidUploadMidDownloadAndMidWaitLeaveNoUpstreamConnectionOrBufferBehind() throws Exception {
        leaks = LeakWatcher.install();
        backend = TestBackend.start();
        proxy = ProxyFixture.start(ProxyFixture.oneRoute(new UpstreamConfig(
                List.of(io.hecate.core.config.TargetConfig.of(backend.address())), Duration.ofSeconds(2),
                UPSTREAM_IDLE_TIMEOUT, UpstreamConfig.DEFAULT_MAX_LIFETIME, UpstreamConfig.DEFAULT_MAX_IDLE_PER_LOOP)));
        String target = backend.address();
        assertRequestsSucceed(3);

        // 1. Mid-upload: 1 MiB of a declared 10 MiB body, then a reset.
        int reached = backend.requestCount();
        RawClient upload = proxy.raw();
        upload.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + 10 * MIB + "\r\n\r\n");
        upload.send(Pattern.random(MIB, 1));
        await("upload reached the backend").atMost(Duration.ofSeconds(3)).until(() -> backend.requestCount() > reached);
        upload.abort();

        // 2. Mid-download: read 1 MiB of 64 MiB, then a reset.
        RawClient download = proxy.raw();
        download.send("GET /bytes?n=" + 64 * MIB + " HTTP/1.1\r\nHost: t\r\n\r\n");
        RawClient.Head head = download.readHead();
        assertThat(head.status()).isEqualTo(200);
        assertThat(download.input().readNBytes(MIB)).hasSize(MIB);
        download.abort();

        // 3. While the upstream is still thinking: the late response must not land in the pool.
        int reachedSlow = backend.requestCount();
        RawClient waiting = proxy.raw();
        waiting.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n");
        await("slow request reached the backend").atMost(Duration.ofSeconds(3))
                .until(() -> backend.requestCount() > reachedSlow);
        waiting.abort();

        await("no upstream connection is left busy").atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(proxy.metricOrZero("hecate_upstream_connections", "target", target))
                        .isEqualTo(proxy.metricOrZero("hecate_upstream_connections_idle", "target", target)));
        await("every upstream connection closed once idle").atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(proxy.metricOrZero("hecate_upstream_connections", "target", target)).isZero();
            assertThat(proxy.metricOrZero("hecate_upstream_connections_idle", "target", target)).isZero();
        });
        await("aborted downstream connections closed").atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(proxy.metricOrZero("hecate_downstream_connections")).isZero());

        assertRequestsSucceed(20);
        assertThat(leaks.collect()).as("Netty leak reports").isEmpty();
    }

    private void assertRequestsSucceed(int count) throws Exception {
        try (RawClient client = proxy.raw()) {
            for (int i = 0; i < count; i++) {
                client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
                RawResponse response = client.readResponse();
                assertThat(response.status()).as(response.toString()).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("hello");
            }
        }
    }
}
