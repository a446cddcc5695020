package io.hecate.core.internal.upstream;

import io.hecate.core.config.UpstreamConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * The last handler of an upstream channel.
 *
 * <p>While an exchange owns the connection, it hands the exchange one decoded message per
 * {@link #requestRead()}. One socket read can decode several messages; those the exchange has not
 * asked for yet wait here. They also outlive the channel: an upstream that sends the end of a
 * response and closes (a close-delimited body, or {@code Connection: close}) while the client is
 * still reading slowly has its last messages delivered before the exchange hears of the close.
 *
 * <p>While the connection sits in the pool it keeps one read pending, so an upstream that closes
 * it (or sends bytes it should not) is noticed at once and the connection is dropped before anyone
 * can be handed it.
 *
 * <p>For an upstream spoken to over HTTP/2 the same class is the last handler of one <em>stream</em>
 * channel (see {@link Http2UpstreamSession}); the exchange cannot tell the difference. A stream
 * serves one exchange: {@link #release()} ends it (a stream is never pooled, its connection is),
 * {@link #close()} resets it. A stream the upstream refused without processing it (RST_STREAM
 * REFUSED_STREAM, or a GOAWAY whose last stream id is below it) ends with a
 * {@link StreamRefusedException}, which is always safe to retry.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private final ConnectionPool pool;
    /** The HTTP/2 connection this stream belongs to; {@code null} for an HTTP/1.1 connection. */
    private final Http2UpstreamSession session;
    private final Target target;
    private final long createdNanos;
    private final int maxIdle;
    private final long maxLifetimeNanos;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(4);
    private Channel channel;
    private UpstreamListener listener;
    private boolean reused;
    private boolean wantsMessage;
    private boolean readInFlight;
    private boolean closed;
    private Throwable failure;

    UpstreamConnection(ConnectionPool pool, Target target, UpstreamConfig config) {
        this(pool, null, target, config);
    }

    /** One stream of an HTTP/2 connection; {@code reused} when the connection carried a stream before. */
    UpstreamConnection(Http2UpstreamSession session, Target target, UpstreamConfig config, boolean reused) {
        this(null, session, target, config);
        this.reused = reused;
    }

    private UpstreamConnection(ConnectionPool pool, Http2UpstreamSession session, Target target, UpstreamConfig config) {
        this.pool = pool;
        this.session = session;
        this.target = target;
        this.createdNanos = System.nanoTime();
        this.maxIdle = config.maxIdlePerLoop();
        this.maxLifetimeNanos = config.maxLifetime().toNanos();
    }

    public Channel channel() {
        return channel;
    }

    public Target target() {
        return target;
    }

    /** Whether this connection served an earlier exchange (so the upstream may have closed it since). */
    public boolean reused() {
        return reused;
    }

    int maxIdle() {
        return maxIdle;
    }

    long maxLifetimeNanos() {
        return maxLifetimeNanos;
    }

    long createdNanos() {
        return createdNanos;
    }

    void markReused() {
        reused = true;
    }

    public void attach(UpstreamListener owner) {
        this.listener = owner;
    }

    /**
     * Asks for the next message: one that already waits is delivered at once; otherwise one socket
     * read is issued (never more than one at a time). Once the messages run out on a closed
     * connection, the owner is told of the close.
     */
    public void requestRead() {
        Object next = waiting.poll();
        if (next != null) {
            listener.onUpstreamMessage(next);
            return;
        }
        if (closed) {
            reportClose();
            return;
        }
        wantsMessage = true;
        readFromSocket();
    }

    private void readFromSocket() {
        if (!readInFlight) {
            readInFlight = true;
            channel.read();
        }
    }

    /**
     * Gives the connection back for reuse; only after a complete, clean exchange. An HTTP/2 stream
     * is done instead: closing its channel sends nothing once both sides have ended it, and resets
     * it otherwise.
     */
    public void release() {
        listener = null;
        wantsMessage = false;
        if (!waiting.isEmpty() || closed || session != null) {
            close();
            return;
        }
        pool.release(this);
    }

    /** Drops the connection: it is never reused after an aborted or unclean exchange. */
    public void close() {
        listener = null;
        wantsMessage = false;
        Object message;
        while ((message = waiting.poll()) != null) {
            ReferenceCountUtil.release(message);
        }
        channel.close();
    }

    /** Keeps a read pending on an idle pooled connection, to notice a close at once. */
    void watchWhileIdle() {
        readFromSocket();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener owner = listener;
        if (owner == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        } else if (wantsMessage && waiting.isEmpty()) {
            wantsMessage = false;
            owner.onUpstreamMessage(msg);
        } else {
            waiting.add(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readInFlight = false;
        UpstreamListener owner = listener;
        if (owner != null) {
            owner.onUpstreamReadComplete();
        } else if (ctx.channel().isActive()) {
            readFromSocket();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener owner = listener;
        if (owner != null && ctx.channel().isWritable()) {
            owner.onUpstreamWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (session == null) {
            pool.closed(this);
        }
        if (listener != null && waiting.isEmpty()) {
            reportClose();
        }
    }

    private void reportClose() {
        UpstreamListener owner = listener;
        listener = null;
        if (owner == null) {
            return;
        }
        if (failure != null) {
            owner.onUpstreamError(failure);
        } else {
            owner.onUpstreamClosed();
        }
    }

    /** The channel closes next; the owner hears of the failure once the messages before it are read. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            Http2Exception http2 = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
            failure = http2 != null && http2.error() == Http2Error.REFUSED_STREAM
                    ? refused("the upstream connection cannot open another stream: " + http2.getMessage())
                    : cause;
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close();
        } else if (evt instanceof Http2ResetFrame reset) {
            // The stream closes next; the owner hears of the reset once the messages before it are read.
            long code = reset.errorCode();
            if (failure == null && code == Http2Error.REFUSED_STREAM.code()) {
                failure = refused("upstream refused stream " + streamId() + " (REFUSED_STREAM)");
            } else if (failure == null && code != Http2Error.NO_ERROR.code()) {
                Http2Error error = Http2Error.valueOf(code);
                failure = new IOException("upstream reset stream " + streamId() + " ("
                        + (error == null ? "error " + code : error.name()) + ")");
            }
        } else if (evt instanceof Http2GoAwayFrame goAway) {
            // Sent only to the streams above the GOAWAY's last stream id: the upstream never processed them.
            if (failure == null) {
                failure = refused("upstream sent GOAWAY with last stream id " + goAway.lastStreamId()
                        + ", below stream " + streamId());
            }
            goAway.release();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    private static StreamRefusedException refused(String message) {
        return new StreamRefusedException(message);
    }

    private int streamId() {
        return channel instanceof Http2StreamChannel stream ? stream.stream().id() : -1;
    }
}
