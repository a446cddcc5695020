package io.hecate.core.internal.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} once a channel has neither read nor flushed
 * anything for the timeout. Unlike Netty's {@code IdleStateHandler} it watches flushes rather than
 * write completions, so it never turns a void write promise into a real one: no promise and no
 * listener are allocated per write on the hot path. One timer per channel, moved lazily.
 */
public final class IdleTimeout extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private long lastActivityNanos;
    private ScheduledFuture<?> timer;

    public IdleTimeout(long timeout, TimeUnit unit) {
        this.timeoutNanos = unit.toNanos(timeout);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastActivityNanos = System.nanoTime();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        lastActivityNanos = System.nanoTime();
        ctx.flush();
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer == null) {
            lastActivityNanos = System.nanoTime();
            timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen() || timer == null) {
            return;
        }
        long remaining = lastActivityNanos + timeoutNanos - System.nanoTime();
        if (remaining > 0) {
            timer = ctx.executor().schedule(() -> check(ctx), remaining, TimeUnit.NANOSECONDS);
            return;
        }
        lastActivityNanos = System.nanoTime();
        timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }
}
