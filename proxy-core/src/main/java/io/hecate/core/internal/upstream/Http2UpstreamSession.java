package io.hecate.core.internal.upstream;

import io.hecate.core.config.UpstreamConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * One multiplexed HTTP/2 (h2c, prior knowledge) connection to a target, owned by the
 * {@link ConnectionPool} of one event loop and used only on that loop. Each exchange gets its own
 * stream, opened with {@link Http2StreamChannelBootstrap}; the stream channel's pipeline ends in an
 * {@link UpstreamConnection}, so the exchange works exactly as over HTTP/1.1:
 *
 * <pre>
 * connection: [IdleState][Http2FrameCodec][Http2MultiplexHandler][Http2UpstreamSession]
 * stream:     [Http2StreamFrameToHttpObjectCodec][Http2UpstreamStreamAdapter][UpstreamConnection]
 * </pre>
 *
 * <p>The connection takes new streams while it is connecting or open, has received no GOAWAY, is
 * younger than {@code max_lifetime} and has fewer streams open than the upstream's
 * SETTINGS_MAX_CONCURRENT_STREAMS and {@link #MAX_STREAMS}; the pool opens another connection
 * otherwise. Exchanges that arrive before the upstream's first SETTINGS wait for them, so no stream
 * is opened beyond a limit we have not heard yet; those the limit leaves out go back to the pool. It closes once it has no stream left and is idle for {@code idle_timeout}, was told
 * GOAWAY, or is too old.
 *
 * <p>Flow control: stream channels have auto-read off, so a response's DATA is credited back to the
 * upstream (WINDOW_UPDATE) only after the exchange has read it, which it does only while the
 * client can take more. The connection window is {@link #MAX_STREAMS} stream windows, so a stream
 * whose client is slow holds back only itself.
 */
final class Http2UpstreamSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Http2UpstreamSession.class);

    /** Streams per connection, whatever the upstream allows; more exchanges open another connection. */
    static final int MAX_STREAMS = 100;
    static final int STREAM_WINDOW = Http2CodecUtil.DEFAULT_WINDOW_SIZE;
    static final int CONNECTION_WINDOW = MAX_STREAMS * STREAM_WINDOW;

    private static final Http2StreamFrameToHttpObjectCodec CODEC = new Http2StreamFrameToHttpObjectCodec(false);
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final ConnectionPool pool;
    private final Target target;
    private final UpstreamConfig config;
    private final PoolMetrics.Gauges gauges;
    private final long createdNanos = System.nanoTime();
    private final ArrayDeque<ConnectListener> waiting = new ArrayDeque<>();
    private Http2FrameCodec codec;
    private Channel channel;
    private boolean connected;
    /** The upstream's first SETTINGS arrived: its stream limit is known, streams may open. */
    private boolean settled;
    private boolean failed;
    private Throwable failure;
    private boolean goAway;
    private boolean countedIdle;
    /** Streams open plus streams promised to exchanges waiting for the connection. */
    private int streams;
    private long served;

    Http2UpstreamSession(ConnectionPool pool, Target target, UpstreamConfig config, PoolMetrics.Gauges gauges) {
        this.pool = pool;
        this.target = target;
        this.config = config;
        this.gauges = gauges;
    }

    static Http2FrameCodec newCodec() {
        return Http2FrameCodecBuilder.forClient()
                .initialSettings(new Http2Settings()
                        .pushEnabled(false)
                        .initialWindowSize(STREAM_WINDOW)
                        .maxHeaderListSize(ConnectionPool.MAX_RESPONSE_HEADERS))
                // close() sends GOAWAY and closes at once: we only close with no stream open.
                .gracefulShutdownTimeoutMillis(0)
                .validateHeaders(true)
                .build();
    }

    /** The handlers of a new connection's pipeline, in order. */
    ChannelHandler[] handlers(ChannelHandler idle) {
        codec = newCodec();
        return new ChannelHandler[] {idle, codec, new Http2MultiplexHandler(NoPush.INSTANCE), this};
    }

    Target target() {
        return target;
    }

    /** Whether one more exchange may use this connection now. */
    boolean acceptsStream() {
        if (goAway || failed || (connected && !channel.isActive())
                || System.nanoTime() - createdNanos >= config.maxLifetime().toNanos()) {
            return false;
        }
        return streams < limit();
    }

    /** Until the upstream's SETTINGS arrive, {@link #MAX_STREAMS} exchanges may wait for this connection. */
    private int limit() {
        return settled ? Math.min(MAX_STREAMS, codec.connection().local().maxActiveStreams()) : MAX_STREAMS;
    }

    /**
     * Gives {@code listener} a new stream: at once on a connection whose SETTINGS arrived, else as
     * soon as they do (or another connection's, if they allow fewer streams than are waiting).
     */
    void open(ConnectListener listener) {
        streams++;
        if (countedIdle) {
            countedIdle = false;
            gauges.idle.decrement();
        }
        if (settled) {
            openStream(listener);
        } else {
            waiting.add(listener);
        }
    }

    private void connected() {
        connected = true;
        gauges.open.increment();
        gauges.opened.increment();
    }

    /**
     * The upstream's limit is known: open streams for as many waiting exchanges as it allows and
     * send the others back to the pool, which finds or opens another connection for them.
     */
    private void settle() {
        settled = true;
        int opened = 0;
        int limit = limit();
        ConnectListener listener;
        while ((listener = waiting.poll()) != null) {
            if (opened < limit) {
                opened++;
                openStream(listener);
            } else {
                streams--;
                pool.acquire(target, config, listener);
            }
        }
    }

    void connectFailed(Throwable cause) {
        failed = true;
        ConnectListener listener;
        while ((listener = waiting.poll()) != null) {
            streams--;
            listener.onConnectFailed(cause);
        }
    }

    private void openStream(ConnectListener listener) {
        if (!channel.isActive()) {
            streamEnded();
            listener.onConnectFailed(new ClosedChannelException());
            return;
        }
        boolean reused = served++ > 0;
        if (reused) {
            gauges.reused.increment();
        }
        UpstreamConnection stream = new UpstreamConnection(this, target, config, reused);
        Future<Http2StreamChannel> opened = new Http2StreamChannelBootstrap(channel)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(CODEC, Http2UpstreamStreamAdapter.INSTANCE, stream);
                    }
                })
                .open();
        opened.addListener((Future<Http2StreamChannel> done) -> {
            if (done.isSuccess()) {
                done.getNow().closeFuture().addListener(f -> streamEnded());
                listener.onConnected(stream);
            } else {
                streamEnded();
                listener.onConnectFailed(done.cause());
            }
        });
    }

    private void streamEnded() {
        streams--;
        if (streams == 0 && channel.isActive()) {
            if (goAway || System.nanoTime() - createdNanos >= config.maxLifetime().toNanos()) {
                channel.close();
            } else if (!countedIdle) {
                countedIdle = true;
                gauges.idle.increment();
            }
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /**
     * The codec, earlier in the pipeline, has written the preface and SETTINGS: now the connection
     * window may grow and the waiting exchanges get their streams.
     */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - STREAM_WINDOW));
        ctx.fireChannelActive();
        connected();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame && !settled) {
            settle();
        } else if (msg instanceof Http2GoAwayFrame frame) {
            LOG.debug("upstream {} sent GOAWAY (last stream {}, error {})", target.key(), frame.lastStreamId(),
                    frame.errorCode());
            goAway = true;
            pool.retired(this);
            if (streams == 0) {
                ctx.close();
            }
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && streams == 0) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Exchanges still waiting for the SETTINGS: the upstream closed (or did not speak HTTP/2).
        connectFailed(failure != null ? failure
                : new ClosedChannelException());
        if (countedIdle) {
            countedIdle = false;
            gauges.idle.decrement();
        }
        pool.retired(this);
        if (connected) {
            gauges.open.decrement();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        LOG.debug("upstream HTTP/2 connection to {} failed: {}", target.key(), cause.toString());
        ctx.close();
    }

    /** Server push is disabled in our SETTINGS; a pushed stream that comes anyway is closed (reset). */
    @ChannelHandler.Sharable
    private static final class NoPush extends ChannelInboundHandlerAdapter {
        static final NoPush INSTANCE = new NoPush();

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
