package io.hecate.core.internal.upstream;

import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.config.UpstreamProtocol;
import io.hecate.core.testing.H2Backend;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract the exchange relies on for streams of an {@code h2c} upstream: each acquire gives a
 * stream of a shared connection, a refused stream ends in {@link StreamRefusedException}, and a
 * connection told GOAWAY gets no new streams.
 */
class Http2UpstreamPoolTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final PoolMetrics metrics = new PoolMetrics();
    private ConnectionPool pool;
    private Target target;
    private UpstreamConfig config;
    @AutoClose
    private H2Backend backend;

    @BeforeEach
    void start() throws Exception {
        backend = H2Backend.start();
        pool = new ConnectionPool(loop, NioSocketChannel.class, DefaultAddressResolverGroup.INSTANCE, metrics);
        target = Target.parse(backend.address(), 1);
        config = UpstreamConfig.of(backend.address()).withProtocol(UpstreamProtocol.H2C);
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** What one exchange saw: the response status and body, or how it failed. */
    private record Outcome(int status, String body, Throwable error, Channel connection, boolean reused) {
    }

    /** Acquires a stream, sends {@code GET path} and collects what comes back, as an exchange would. */
    private Outcome exchange(String path) throws Exception {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        loop.execute(() -> pool.acquire(target, config, new ConnectListener() {
            @Override
            public void onConnected(UpstreamConnection stream) {
                StringBuilder body = new StringBuilder();
                int[] status = {0};
                Channel parent = stream.channel().parent();
                stream.attach(new UpstreamListener() {
                    @Override
                    public void onUpstreamMessage(Object message) {
                        try {
                            if (message instanceof HttpResponse response) {
                                status[0] = response.status().code();
                            }
                            if (message instanceof HttpContent content) {
                                body.append(content.content().toString(StandardCharsets.UTF_8));
                            }
                            if (message instanceof LastHttpContent) {
                                stream.release();
                                done.complete(new Outcome(status[0], body.toString(), null, parent, stream.reused()));
                                return;
                            }
                        } finally {
                            ReferenceCountUtil.release(message);
                        }
                        stream.requestRead();
                    }

                    @Override
                    public void onUpstreamReadComplete() {
                        stream.requestRead();
                    }

                    @Override
                    public void onUpstreamWritable() {
                    }

                    @Override
                    public void onUpstreamClosed() {
                        done.complete(new Outcome(status[0], body.toString(), new java.io.EOFException("closed"), parent,
                                stream.reused()));
                    }

                    @Override
                    public void onUpstreamError(Throwable cause) {
                        done.complete(new Outcome(status[0], body.toString(), cause, parent, stream.reused()));
                    }
                });
                DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                request.headers().set(HttpHeaderNames.HOST, backend.address());
                stream.channel().writeAndFlush(request);
                stream.requestRead();
            }

            @Override
            public void onConnectFailed(Throwable cause) {
                done.completeExceptionally(cause);
            }
        }));
        return done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void exchangesShareOneConnectionAsStreams() throws Exception {
        Outcome first = exchange("/a");
        Outcome second = exchange("/b");
        assertThat(first.body()).isEqualTo("h2 /a");
        assertThat(second.body()).isEqualTo("h2 /b");
        assertThat(second.connection()).isSameAs(first.connection());
        assertThat(first.reused()).isFalse();
        assertThat(second.reused()).isTrue();
        assertThat(backend.connections()).isEqualTo(1);
        assertThat(backend.streams()).isEqualTo(2);
        PoolMetrics.Gauges gauges = metrics.byTarget().get(target.key());
        assertThat(gauges.open()).isEqualTo(1);
        assertThat(gauges.opened()).isEqualTo(1);
        assertThat(gauges.reused()).isEqualTo(1);
        assertThat(gauges.idle()).as("no stream open").isEqualTo(1);
        // No x-http2-* header went upstream.
        assertThat(backend.requests()).allSatisfy(headers ->
                headers.names().forEach(name -> assertThat(name.toString()).doesNotStartWith("x-http2-")));
    }

    @Test
    void refusedStreamEndsInStreamRefusedExceptionAndTheConnectionStaysUsable() throws Exception {
        Outcome refused = exchange("/refuse");
        assertThat(refused.error()).isInstanceOf(StreamRefusedException.class)
                .hasMessageContaining("REFUSED_STREAM");
        Outcome after = exchange("/after");
        assertThat(after.body()).isEqualTo("h2 /after");
        assertThat(after.connection()).isSameAs(refused.connection());
        assertThat(backend.connections()).isEqualTo(1);
    }

    @Test
    void goAwayBelowTheStreamEndsInStreamRefusedExceptionAndTheNextStreamUsesANewConnection() throws Exception {
        Outcome warm = exchange("/warm");
        Outcome refused = exchange("/goaway-once");
        assertThat(refused.error()).isInstanceOf(StreamRefusedException.class).hasMessageContaining("GOAWAY");
        assertThat(refused.connection()).isSameAs(warm.connection());

        Outcome retried = exchange("/goaway-once");
        assertThat(retried.body()).isEqualTo("after goaway");
        assertThat(retried.connection()).isNotSameAs(warm.connection());
        assertThat(backend.connections()).isEqualTo(2);
        org.awaitility.Awaitility.await("the connection told GOAWAY closes once idle")
                .atMost(java.time.Duration.ofSeconds(3)).until(() -> !warm.connection().isActive());
        assertThat(metrics.byTarget().get(target.key()).open()).isEqualTo(1);
    }
}
