package io.hecate.core.proxy;

import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** WebSocket through Hecate: a real Netty WebSocket server, the JDK's WebSocket client. */
class WebSocketTest {

    private static final int MAX_MESSAGE = 16 * 1024 * 1024;

    @AutoClose
    private ProxyFixture proxy;
    private EventLoopGroup backendGroup;
    private Channel backend;

    /** Echoes every (aggregated) message back as it came. */
    private void startEchoBackend() throws InterruptedException {
        backendGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        backend = new ServerBootstrap().group(backendGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws", null, false, MAX_MESSAGE),
                                new WebSocketFrameAggregator(MAX_MESSAGE),
                                new SimpleChannelInboundHandler<WebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                                        ctx.writeAndFlush(frame.retain());
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void stopBackend() {
        if (backend != null) {
            backend.close().syncUninterruptibly();
        }
        if (backendGroup != null) {
            backendGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private ProxyConfig config(String extraRouteBody, Duration upgradeIdle) {
        int port = ((InetSocketAddress) backend.localAddress()).getPort();
        return ProxyFixture.baseConfig()
                .upstream("ws", UpstreamConfig.of("127.0.0.1:" + port))
                .route(RouteConfig.of("hello", MatchConfig.any().withPath("/hello"), RespondAction.of(200, extraRouteBody)))
                .route(RouteConfig.of("ws", MatchConfig.prefix("/ws"), ProxyAction.to("ws").withUpgradeIdleTimeout(upgradeIdle)))
                .build();
    }

    /** Collects whole text messages and the close. */
    private static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.complete(-1);
        }
    }

    private WebSocket connect(Collector collector) {
        URI uri = URI.create("ws://127.0.0.1:" + proxy.http().getPort() + "/ws");
        return ProxyFixture.HTTP.newWebSocketBuilder().buildAsync(uri, collector).join();
    }

    @Test
    void messagesSmallAndTenMebibytesAreEchoedAndTheConnectionSurvivesAReload() throws Exception {
        startEchoBackend();
        proxy = ProxyFixture.start(config("one", Duration.ofMinutes(1)));
        Collector collector = new Collector();
        WebSocket socket = connect(collector);

        socket.sendText("hello", true).join();
        assertThat(collector.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");

        String big = "0123456789abcdef".repeat(10 * 1024 * 1024 / 16);
        socket.sendText(big, true).join();
        String echoed = collector.messages.poll(20, TimeUnit.SECONDS);
        assertThat(echoed).isNotNull();
        assertThat(echoed.length()).isEqualTo(big.length());
        assertThat(echoed).isEqualTo(big);

        proxy.proxy().apply(config("two", Duration.ofMinutes(1)));
        assertThat(new String(proxy.get("/hello").body())).isEqualTo("two");
        socket.sendText("after reload", true).join();
        assertThat(collector.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("after reload");

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        assertThat(collector.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    @Test
    void anIdleUpgradedConnectionIsClosedAfterTheUpgradeIdleTimeout() throws Exception {
        startEchoBackend();
        proxy = ProxyFixture.start(config("one", Duration.ofMillis(300)));
        Collector collector = new Collector();
        WebSocket socket = connect(collector);
        socket.sendText("ping", true).join();
        assertThat(collector.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("ping");

        await().atMost(Duration.ofSeconds(5)).until(collector.closed::isDone);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.metricOrZero("hecate_downstream_connections") == 0);
    }

    @Test
    void stopClosesUpgradedConnectionsAfterHttpDrained() throws Exception {
        startEchoBackend();
        proxy = ProxyFixture.start(config("one", Duration.ofMinutes(1)));
        Collector collector = new Collector();
        WebSocket socket = connect(collector);
        socket.sendText("ping", true).join();
        assertThat(collector.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("ping");

        proxy.proxy().stop(Duration.ofSeconds(5));
        // Generous: on a loaded machine the client may take a while to see the connection go.
        await().atMost(Duration.ofSeconds(15)).until(collector.closed::isDone);
    }
}
