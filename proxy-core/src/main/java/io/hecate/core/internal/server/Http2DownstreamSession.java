package io.hecate.core.internal.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The connection-level end of a downstream HTTP/2 connection, after Netty's frame codec and
 * multiplexer: it knows the open streams and decides when the connection itself goes.
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
 *       the idle event goes to every stream, whose handler closes (resets) it unless its exchange
 *       waits for the upstream, as on HTTP/1.1.</li>
 *   <li><b>Header deadline</b>: a connection that never opened a stream within
 *       {@code listen.header_timeout} is closed. Once a stream has opened, the idle timeout
 *       governs the connection.</li>
 *   <li><b>Flow control</b>: the connection window is raised to cover every stream's window (see
 *       {@link Http2Downstream#connectionWindow}), so one stalled stream never blocks another.</li>
 * </ul>
 */
final class Http2DownstreamSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Http2DownstreamSession.class);
    static final long PHASE_TWO_FALLBACK_MILLIS = 1000;
    private static final long DRAIN_PING = 0x4845434154450001L;

    private final int connectionWindow;
    private final Set<Channel> streams = new LinkedHashSet<>();
    private ChannelHandlerContext ctx;
    private boolean windowRaised;
    private boolean everOpened;
    private int drainPhase;
    private ScheduledFuture<?> phaseTwo;

    Http2DownstreamSession(int connectionWindow) {
        this.connectionWindow = connectionWindow;
    }

    /** A new stream's child channel; it is forgotten when it closes. */
    void streamOpened(Channel stream) {
        everOpened = true;
        streams.add(stream);
        stream.closeFuture().addListener(f -> streamClosed(stream));
    }

    private void streamClosed(Channel stream) {
        streams.remove(stream);
        if (drainPhase == 2) {
            closeWhenDone();
        }
    }

    int openStreams() {
        return streams.size();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            raiseConnectionWindow();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        raiseConnectionWindow();
        ctx.fireChannelActive();
    }

    /** The codec has sent its SETTINGS by now (it is earlier in the pipeline), so a WINDOW_UPDATE may follow. */
    private void raiseConnectionWindow() {
        if (windowRaised) {
            return;
        }
        windowRaised = true;
        int delta = connectionWindow - Http2Downstream.STREAM_WINDOW;
        if (delta > 0) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(delta));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2PingFrame ping && ping.ack() && ping.content() == DRAIN_PING) {
                finalGoAway();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DownstreamHandler.DRAIN) {
            startDrain();
        } else if (evt == HeaderDeadline.EXPIRED) {
            if (!everOpened) {
                goAwayAndClose();
            }
        } else if (evt instanceof IdleStateEvent) {
            if (streams.isEmpty()) {
                goAwayAndClose();
            } else {
                for (Channel stream : new ArrayList<>(streams)) {
                    stream.pipeline().fireUserEventTriggered(evt);
                }
            }
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    private void startDrain() {
        if (drainPhase != 0 || !ctx.channel().isActive()) {
            return;
        }
        drainPhase = 1;
        ctx.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE));
        ctx.writeAndFlush(new DefaultHttp2PingFrame(DRAIN_PING, false));
        phaseTwo = ctx.executor().schedule(this::finalGoAway, PHASE_TWO_FALLBACK_MILLIS, TimeUnit.MILLISECONDS);
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
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        closeWhenDone();
    }

    private void closeWhenDone() {
        if (streams.isEmpty() && ctx.channel().isActive()) {
            // The empty write lands after every frame already queued, so the close loses none of them.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void goAwayAndClose() {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void cancelPhaseTwo() {
        if (phaseTwo != null) {
            phaseTwo.cancel(false);
            phaseTwo = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelPhaseTwo();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("downstream HTTP/2 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
