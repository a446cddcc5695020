package io.hecate.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Bounds the time a client may take to send a complete request head (the slowloris guard). The
 * clock starts when the connection opens and when the first byte of each later request arrives.
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
    private Deadline deadline;
    private boolean awaitingFirstByte;

    HeaderDeadline(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = new Deadline(ctx.executor(), timeoutNanos, () -> {
            if (ctx.channel().isActive()) {
                ctx.fireUserEventTriggered(EXPIRED);
            }
        });
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        deadline.arm();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (awaitingFirstByte && msg instanceof ByteBuf) {
            awaitingFirstByte = false;
            deadline.arm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        deadline.cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deadline.cancel();
    }

    /** The request head is complete: no deadline until the next request starts. */
    void headReceived() {
        deadline.disarm();
        awaitingFirstByte = false;
    }

    /** The exchange is over; the next request's clock starts with its first byte. */
    void awaitNextRequest() {
        deadline.disarm();
        awaitingFirstByte = true;
    }
}
