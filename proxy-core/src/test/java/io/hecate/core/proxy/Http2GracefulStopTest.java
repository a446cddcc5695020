package io.hecate.core.proxy;

import io.hecate.core.testing.H2Client;
import io.hecate.core.testing.Pattern;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code stop(drain)} on HTTP/2: the client gets the two-phase GOAWAY (first the largest stream
 * id, then the real last one), the stream in flight finishes, and the connection closes after it,
 * well before the drain timeout.
 */
class Http2GracefulStopTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    @AutoClose
    private H2Client inFlight;
    @AutoClose
    private H2Client idle;

    @Test
    void streamInFlightCompletesAndTheClientIsToldGoAwayTwice() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        int size = 256 * 1024;
        inFlight = H2Client.connect(proxy.http());
        idle = H2Client.connect(proxy.http());
        H2Client.Response warm = idle.get("/warm").get(10, TimeUnit.SECONDS);
        assertThat(warm.status()).isEqualTo(200);

        CompletableFuture<H2Client.Response> slow = inFlight.get("/slow?ms=1000&n=" + size);
        await("the slow request reached the backend").atMost(Duration.ofSeconds(3))
                .until(() -> backend.requestCount() == 2);

        long stopStarted = System.nanoTime();
        CompletableFuture<Long> stopped = CompletableFuture.supplyAsync(() -> {
            proxy.proxy().stop(Duration.ofSeconds(10));
            return (System.nanoTime() - stopStarted) / 1_000_000;
        });

        await("the idle connection is told and closed").atMost(Duration.ofSeconds(3)).until(() -> !idle.isOpen());
        assertThat(idle.goAways()).isNotEmpty();
        assertThat(idle.goAways().get(idle.goAways().size() - 1).lastStreamId()).isEqualTo(warm.streamId());

        H2Client.Response response = slow.get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(Pattern.bytes(size));

        List<H2Client.GoAway> goAways = inFlight.goAways();
        assertThat(goAways).as("two-phase GOAWAY").hasSize(2);
        assertThat(goAways.get(0).lastStreamId()).isEqualTo(Integer.MAX_VALUE);
        assertThat(goAways.get(1).lastStreamId()).isEqualTo(response.streamId());
        assertThat(goAways).allSatisfy(g -> assertThat(g.errorCode()).isZero());
        await("the in-flight connection closed after its stream").atMost(Duration.ofSeconds(3))
                .until(() -> !inFlight.isOpen());

        long stopMillis = stopped.get(12, TimeUnit.SECONDS);
        assertThat(stopMillis).as("stop waited for the stream, not for the 10 s drain timeout").isLessThan(5000L);
    }
}
