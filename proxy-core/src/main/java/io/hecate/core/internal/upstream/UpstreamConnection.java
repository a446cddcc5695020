package io.hecate.core.internal.upstream;

import io.hecate.core.config.UpstreamConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

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
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private final ConnectionPool pool;
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
        this.pool = pool;
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

    /** Gives the connection back for reuse; only after a complete, clean exchange. */
    public void release() {
        listener = null;
        wantsMessage = false;
        if (!waiting.isEmpty() || closed) {
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
        pool.closed(this);
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
            failure = cause;
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }
}
