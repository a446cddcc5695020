package io.hecate.core.proxy;

import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.ListenConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Slowloris and connection floods: the proxy cuts them off and keeps serving everyone else. */
class SlowClientTest {

    private static final int SLOWLORIS = 5_000;

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    private final List<SocketChannel> sockets = new ArrayList<>();

    @AutoClose
    private final AutoCloseable closeSockets = () -> {
        for (SocketChannel socket : sockets) {
            socket.close();
        }
    };

    private void start(ListenConfig listen) throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.start(ProxyFixture.baseConfig()
                .listen(listen)
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build());
    }

    private SocketChannel open(String partialHead) throws IOException {
        SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.http().getPort()));
        socket.configureBlocking(false);
        if (!partialHead.isEmpty()) {
            socket.write(ByteBuffer.wrap(partialHead.getBytes(StandardCharsets.US_ASCII)));
        }
        sockets.add(socket);
        return socket;
    }

    /** True once the proxy closed the socket (whatever it wrote before, e.g. a 408, is read and dropped). */
    private static boolean closedByPeer(SocketChannel socket) {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        try {
            int read;
            while ((read = socket.read(sink)) > 0) {
                sink.clear();
            }
            return read < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void fiveThousandSlowlorisConnectionsAreCutAtTheHeaderTimeoutWhileOthersAreServed() throws Exception {
        start(new ListenConfig(new ListenAddress("127.0.0.1", 0), Duration.ofSeconds(2), Duration.ofSeconds(60),
                ListenConfig.DEFAULT_MAX_REQUEST_LINE, ListenConfig.DEFAULT_MAX_HEADER_BYTES, List.of()));
        for (int i = 0; i < SLOWLORIS; i++) {
            open("GET /slow HTTP/1.1\r\nHost: x\r\nX-Never-Ending: " + i);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(proxy.get("/hello").statusCode()).as("a normal client among slowloris").isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> sockets.stream().allMatch(SlowClientTest::closedByPeer));
        assertThat(backend.requestCount()).as("no slowloris request reached the backend").isEqualTo(50);
        assertThat(proxy.get("/hello").statusCode()).isEqualTo(200);
    }

    @Test
    void connectionsOverThePerClientLimitAreClosedAtAccept() throws Exception {
        start(ListenConfig.on(new ListenAddress("127.0.0.1", 0)).withConnectionLimits(0, 20));
        for (int i = 0; i < 21; i++) {
            open("");
        }
        // Accepted connections start on two event loops, so which of the 21 is the one too many is not fixed.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.metricOrZero("hecate_downstream_connections_refused_total") == 1);
        SocketChannel refused = sockets.stream().filter(SlowClientTest::closedByPeer).findFirst().orElseThrow();
        sockets.remove(refused);
        assertThat(sockets).hasSize(20).noneMatch(SlowClientTest::closedByPeer);
        assertThat(proxy.metricOrZero("hecate_downstream_connections")).isEqualTo(20);

        sockets.remove(0).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.metricOrZero("hecate_downstream_connections") == 19);
        assertThat(proxy.get("/hello").statusCode()).as("room again after one closed").isEqualTo(200);
    }

    @Test
    void aBodyThatStallsIsAnswered408AndTheUpstreamConnectionDropped() throws Exception {
        start(ListenConfig.on(new ListenAddress("127.0.0.1", 0)).withBodyTimeout(Duration.ofMillis(500)));
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", proxy.http().getPort())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 408").contains("the request body stalled");
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                proxy.metricOrZero("hecate_upstream_connections", "target", backend.address()) == 0);
        assertThat(proxy.get("/hello").statusCode()).isEqualTo(200);
    }
}
