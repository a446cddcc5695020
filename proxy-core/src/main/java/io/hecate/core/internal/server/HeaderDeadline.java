package io.hecate.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Bounds the time a client may take to send a complete request head (the slowloris guard). The
 * clock starts when the connection opens and when the first byte of each later request arrives.
 * One timer is kept per connection and moved lazily, so arming it per request costs no allocation.
 */
final class HeaderDeadline extends ChannelInboundHandlerAdapter {

    /** Fired down the pipeline when a request head did not arrive in time. */
    static final Object EXPIRED = new Object() {
        @Override
        public String toString() {
            return "HeaderDeadline.EXPIRED";
        }
    };

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private boolean armed;
    private boolean awaitingFirstByte;
    private long deadlineNanos;
    private ScheduledFuture<?> timer;

    HeaderDeadline(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (awaitingFirstByte && msg instanceof ByteBuf) {
            awaitingFirstByte = false;
            arm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        armed = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        super.channelInactive(ctx);
    }

    /** The request head is complete: no deadline until the next request starts. */
    void headReceived() {
        armed = false;
        awaitingFirstByte = false;
    }

    /** The exchange is over; the next request's clock starts with its first byte. */
    void awaitNextRequest() {
        armed = false;
        awaitingFirstByte = true;
    }

    private void arm() {
        armed = true;
        deadlineNanos = System.nanoTime() + timeoutNanos;
        if (timer == null) {
            timer = ctx.executor().schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        timer = null;
        if (!armed || !ctx.channel().isActive()) {
            return;
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining > 0) {
            timer = ctx.executor().schedule(this::check, remaining, TimeUnit.NANOSECONDS);
        } else {
            armed = false;
            ctx.fireUserEventTriggered(EXPIRED);
        }
    }
}
