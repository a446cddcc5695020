package io.hecate.core.internal.upstream;

import io.hecate.core.config.UpstreamConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream channel. While an exchange owns the connection it forwards every
 * event to that exchange; while the connection sits in the pool it keeps one read pending, so an
 * upstream that closes it (or sends bytes it should not) is noticed at once and the connection is
 * dropped before anyone can be handed it.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private final ConnectionPool pool;
    private final Target target;
    private final long createdNanos;
    private Channel channel;
    private UpstreamListener listener;
    private boolean reused;
    private boolean readRequested;

    private final int maxIdle;
    private final long maxLifetimeNanos;

    UpstreamConnection(ConnectionPool pool, Target target, UpstreamConfig config) {
        this.pool = pool;
        this.target = target;
        this.createdNanos = System.nanoTime();
        this.maxIdle = config.maxIdlePerLoop();
        this.maxLifetimeNanos = config.maxLifetime().toNanos();
    }

    int maxIdle() {
        return maxIdle;
    }

    long maxLifetimeNanos() {
        return maxLifetimeNanos;
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

    long createdNanos() {
        return createdNanos;
    }

    void markReused() {
        reused = true;
    }

    /**
     * Asks for the next message. At most one read is outstanding, so the flow-control handler
     * below never delivers more than was asked for.
     */
    public void requestRead() {
        if (!readRequested) {
            readRequested = true;
            channel.read();
        }
    }

    public void attach(UpstreamListener owner) {
        this.listener = owner;
    }

    /** Stops forwarding events; the caller then either releases or closes the connection. */
    public void detach() {
        this.listener = null;
    }

    boolean idle() {
        return listener == null;
    }

    /** Gives the connection back for reuse; only after a complete, clean exchange. */
    public void release() {
        listener = null;
        pool.release(this);
    }

    /** Drops the connection: it is never reused after an aborted or unclean exchange. */
    public void close() {
        listener = null;
        channel.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readRequested = false;
        UpstreamListener owner = listener;
        if (owner != null) {
            owner.onUpstreamMessage(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readRequested = false;
        UpstreamListener owner = listener;
        if (owner != null) {
            owner.onUpstreamReadComplete();
        } else if (ctx.channel().isActive()) {
            requestRead();
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
        pool.closed(this);
        UpstreamListener owner = listener;
        listener = null;
        if (owner != null) {
            owner.onUpstreamClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener owner = listener;
        listener = null;
        if (owner != null) {
            owner.onUpstreamError(cause);
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
