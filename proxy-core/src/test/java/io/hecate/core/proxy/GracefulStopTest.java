package io.hecate.core.proxy;

import io.hecate.core.testing.Pattern;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code stop(drain)} lets a request in flight finish, closes idle connections and refuses new ones. */
class GracefulStopTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;

    @Test
    void slowRequestInFlightCompletesDuringStopAndNewConnectionsAreRefused() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        InetSocketAddress address = proxy.http();
        int size = 256 * 1024;

        try (RawClient inFlight = proxy.raw(); RawClient idle = proxy.raw()) {
            // An idle keep-alive connection that has served one request.
            idle.send("GET /idle HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(idle.readResponse().status()).isEqualTo(200);

            inFlight.send("GET /slow?ms=1000&n=" + size + " HTTP/1.1\r\nHost: t\r\n\r\n");
            await("the slow request reached the backend").atMost(Duration.ofSeconds(3))
                    .until(() -> backend.requestCount() == 2);

            long stopStarted = System.nanoTime();
            CompletableFuture<Long> stopped = CompletableFuture.supplyAsync(() -> {
                proxy.proxy().stop(Duration.ofSeconds(10));
                return (System.nanoTime() - stopStarted) / 1_000_000;
            });

            assertThat(idle.closedByPeer(Duration.ofSeconds(3))).as("idle connection closed by stop").isTrue();

            RawResponse response = inFlight.readResponse();
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(Pattern.bytes(size));
            assertThat(response.header("Connection")).as("a draining proxy announces the close").isEqualTo("close");
            assertThat(inFlight.closedByPeer(Duration.ofSeconds(3))).as("in-flight connection closed after its response").isTrue();

            long stopMillis = stopped.get(12, TimeUnit.SECONDS);
            assertThat(stopMillis).as("stop waited for the request, not for the 10 s drain timeout").isLessThan(5000L);
        }

        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(address, 1000);
            }
        }).as("connect after stop").isInstanceOf(ConnectException.class);
    }

    @Test
    void newConnectionsAreRefusedWhileARequestIsStillDraining() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        InetSocketAddress address = proxy.http();

        try (RawClient inFlight = proxy.raw()) {
            inFlight.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n");
            await().atMost(Duration.ofSeconds(3)).until(() -> backend.requestCount() == 1);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> proxy.proxy().stop(Duration.ofSeconds(10)));

            await("listener closed while the request drains").atMost(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> refused(address));
            assertThat(stopped).as("stop still draining").isNotDone();

            RawResponse response = inFlight.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("slow-done");
            stopped.get(12, TimeUnit.SECONDS);
        }
    }

    private static boolean refused(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 500);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
