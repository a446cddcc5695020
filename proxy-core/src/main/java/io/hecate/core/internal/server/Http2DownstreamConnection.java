package io.hecate.core.internal.server;

import io.hecate.core.internal.runtime.ProxyRuntime;
import io.hecate.core.internal.upstream.ConnectionPool;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpScheme;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A downstream HTTP/2 connection: Netty's {@link Http2ConnectionHandler} (framing, HPACK, flow
 * control, the protocol's limits), with every stream served by an {@link Http2DownstreamStream}
 * that the exchange uses as its {@link Downstream}. No channel per stream: a stream costs an
 * object and its exchange, not a pipeline.
 *
 * <ul>
 *   <li><b>Drain</b> ({@link DownstreamHandler#DRAIN}, fired by {@code ProxyEngine.stop}): the
 *       two-phase GOAWAY of RFC 9113 6.8. First a GOAWAY with the largest stream id and NO_ERROR,
 *       telling the client to open no new streams while those already in flight towards us still
 *       count, and a PING. When the PING comes back (a round trip later, so every stream the
 *       client opened before it saw the first GOAWAY has arrived) or after {@link
 *       #PHASE_TWO_FALLBACK_MILLIS}, the final GOAWAY with the real last stream id. Streams up to it
 *       finish; the connection closes when the last one ends, or when the engine's drain deadline
 *       closes it.</li>
 *   <li><b>Idle</b>: with no stream open the connection gets a GOAWAY and closes; with streams open
 *       each stream is reset unless its exchange waits for the upstream, as on HTTP/1.1.</li>
 *   <li><b>Header deadline</b>: a connection that never opened a stream within
 *       {@code listen.header_timeout} is closed. Once a stream has opened, the idle timeout
 *       governs the connection.</li>
 *   <li><b>Flow control</b>: the connection window is raised to cover every stream's window (see
 *       {@link Http2Downstream#connectionWindow}), so one stalled stream never blocks another.</li>
 * </ul>
 */
final class Http2DownstreamConnection extends Http2ConnectionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(Http2DownstreamConnection.class);
    static final long PHASE_TWO_FALLBACK_MILLIS = 1000;
    private static final long DRAIN_PING = 0x4845434154450001L;

    private final ProxyRuntime runtime;
    private final HeaderDeadline deadline;
    private final String scheme;
    private final int connectionWindow;
    private final Http2Connection.PropertyKey streamKey;
    private final Http2RequestFrames frames;
    private ChannelHandlerContext ctx;
    private ConnectionPool pool;
    private String peerIp;
    private boolean windowRaised;
    private boolean everOpened;
    private int drainPhase;
    private ScheduledFuture<?> phaseTwo;

    private Http2DownstreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                      Http2Settings settings, ProxyRuntime runtime, HeaderDeadline deadline,
                                      String scheme, int maxRequestLine, int connectionWindow) {
        super(decoder, encoder, settings, true);
        this.runtime = runtime;
        this.deadline = deadline;
        this.scheme = scheme;
        this.connectionWindow = connectionWindow;
        Http2Connection connection = connection();
        this.streamKey = connection.newKey();
        this.frames = new Http2RequestFrames(this, maxRequestLine);
        decoder.frameListener(frames);
        encoder.flowController().listener(stream -> {
            Http2DownstreamStream served = served(stream);
            if (served != null) {
                served.writabilityChanged();
            }
        });
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Http2DownstreamStream served = stream.removeProperty(streamKey);
                if (served != null) {
                    served.closed();
                }
                if (drainPhase == 2) {
                    closeWhenDone();
                }
            }
        });
    }

    /** Builds one per connection; the settings are the listener's, fixed when the connection starts. */
    static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2DownstreamConnection, Builder> {

        private final ProxyRuntime runtime;
        private final HeaderDeadline deadline;
        private final String scheme;
        private final int maxRequestLine;
        private final int connectionWindow;

        Builder(Http2Settings settings, ProxyRuntime runtime, HeaderDeadline deadline, String scheme,
                int maxRequestLine, int connectionWindow) {
            this.runtime = runtime;
            this.deadline = deadline;
            this.scheme = scheme;
            this.maxRequestLine = maxRequestLine;
            this.connectionWindow = connectionWindow;
            server(true);
            initialSettings(settings);
            validateHeaders(true);
            validateRequiredPseudoHeaders(true);
            // GOAWAY is sent by this handler (two-phase on drain); close() just closes.
            decoupleCloseAndGoAway(true);
        }

        @Override
        public Http2DownstreamConnection build() {
            return super.build();
        }

        @Override
        protected Http2DownstreamConnection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                                  Http2Settings settings) {
            return new Http2DownstreamConnection(decoder, encoder, settings, runtime, deadline, scheme,
                    maxRequestLine, connectionWindow);
        }
    }

    // ---- what streams and frames need -----------------------------------------------------------

    ChannelHandlerContext context() {
        return ctx;
    }

    ProxyRuntime runtime() {
        return runtime;
    }

    String scheme() {
        return scheme;
    }

    ConnectionPool pool() {
        if (pool == null) {
            pool = runtime.pool(ctx.channel().eventLoop());
        }
        return pool;
    }

    String peerIp() {
        if (peerIp == null) {
            peerIp = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        }
        return peerIp;
    }

    Http2DownstreamStream served(Http2Stream stream) {
        return stream.getProperty(streamKey);
    }

    /** A request opened this stream: from now on it is served by {@code served}. */
    void serve(Http2Stream stream, Http2DownstreamStream served) {
        if (!everOpened) {
            everOpened = true;
            deadline.headReceived();
        }
        stream.setProperty(streamKey, served);
    }

    /** Writes what the streams queued; the socket write itself waits for the end of the loop's turn. */
    void flushStreams() {
        flush(ctx);
    }

    // ---- the connection's life ------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
        if (ctx.channel().isActive()) {
            raiseConnectionWindow();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        raiseConnectionWindow();
    }

    /** After the preface and SETTINGS (sent when the handler became active), a WINDOW_UPDATE may follow. */
    private void raiseConnectionWindow() throws Http2Exception {
        if (windowRaised) {
            return;
        }
        windowRaised = true;
        int delta = connectionWindow - Http2Downstream.STREAM_WINDOW;
        if (delta > 0) {
            decoder().flowController().incrementWindowSize(connection().connectionStream(), delta);
            ctx.flush();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == DownstreamHandler.DRAIN) {
            startDrain();
        } else if (evt == HeaderDeadline.EXPIRED) {
            if (!everOpened) {
                goAwayAndClose();
            }
        } else if (evt instanceof IdleStateEvent) {
            List<Http2DownstreamStream> open = openStreams();
            if (open.isEmpty()) {
                goAwayAndClose();
            } else {
                open.forEach(Http2DownstreamStream::idle);
            }
        } else if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent upgrade) {
            // h2c upgrade (RFC 7540 3.2): the HTTP/1.1 request that asked for it is stream 1's request.
            try {
                // Converted as HTTP/2 headers, so its connection-specific headers go as they would on any stream.
                FullHttpRequest request = upgrade.upgradeRequest();
                request.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), HttpScheme.HTTP.name());
                frames.onHeadersRead(ctx, Http2CodecUtil.HTTP_UPGRADE_STREAM_ID,
                        HttpConversionUtil.toHttp2Headers(request, true), 0, true);
            } finally {
                upgrade.release();
            }
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    private List<Http2DownstreamStream> openStreams() {
        List<Http2DownstreamStream> open = new ArrayList<>();
        try {
            connection().forEachActiveStream(stream -> {
                Http2DownstreamStream served = served(stream);
                if (served != null) {
                    open.add(served);
                }
                return true;
            });
        } catch (Http2Exception impossible) {
            throw new IllegalStateException(impossible);
        }
        return open;
    }

    private void startDrain() {
        if (drainPhase != 0 || !ctx.channel().isActive()) {
            return;
        }
        drainPhase = 1;
        goAway(ctx, Integer.MAX_VALUE, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
        encoder().writePing(ctx, false, DRAIN_PING, ctx.newPromise());
        ctx.flush();
        phaseTwo = ctx.executor().schedule(this::finalGoAway, PHASE_TWO_FALLBACK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The client answered a PING; the drain's PING moves the drain to its final GOAWAY. */
    void pingAnswered(long data) {
        if (data == DRAIN_PING) {
            finalGoAway();
        }
    }

    private void finalGoAway() {
        if (drainPhase != 1) {
            return;
        }
        drainPhase = 2;
        cancelPhaseTwo();
        if (!ctx.channel().isActive()) {
            return;
        }
        goAway(ctx, connection().remote().lastStreamCreated(), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                ctx.newPromise());
        ctx.flush();
        closeWhenDone();
    }

    private void closeWhenDone() {
        if (connection().numActiveStreams() == 0 && ctx.channel().isActive()) {
            // The empty write lands after every frame already queued, so the close loses none of them.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void goAwayAndClose() {
        if (ctx.channel().isActive()) {
            goAway(ctx, connection().remote().lastStreamCreated(), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                    ctx.newPromise()).addListener(ChannelFutureListener.CLOSE);
            ctx.flush();
        }
    }

    private void cancelPhaseTwo() {
        if (phaseTwo != null) {
            phaseTwo.cancel(false);
            phaseTwo = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelPhaseTwo();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            super.exceptionCaught(ctx, cause);
            return;
        }
        LOG.debug("downstream HTTP/2 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
