package io.hecate.core.internal.server;

import io.hecate.core.internal.runtime.ProxyRuntime;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Counts a downstream connection and registers it for draining, whatever protocol it turns out to
 * speak. It sits first in the pipeline because the handlers after it change: the protocol detector
 * installs HTTP/1.1 or HTTP/2, and an h2c upgrade swaps one for the other mid-connection.
 */
@ChannelHandler.Sharable
final class ConnectionTracker extends ChannelInboundHandlerAdapter {

    private final ProxyRuntime runtime;

    ConnectionTracker(ProxyRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        runtime.metrics().connectionOpened();
        runtime.downstreams().add(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        runtime.metrics().connectionClosed();
        ctx.fireChannelInactive();
    }
}
