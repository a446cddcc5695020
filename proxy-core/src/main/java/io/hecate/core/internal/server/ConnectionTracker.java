package io.hecate.core.internal.server;

import io.hecate.core.config.ListenConfig;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits, counts and registers for draining every downstream connection, whatever protocol it
 * turns out to speak. It sits first in the pipeline because the handlers after it change: the
 * protocol detector installs HTTP/1.1 or HTTP/2, and an h2c upgrade swaps one for the other.
 *
 * <p>A connection beyond {@code listen.max_connections}, or beyond
 * {@code listen.max_connections_per_client} for its peer address, is closed at accept, before a
 * byte is read: it never gets a buffer, a decoder or a timer. The limits are read from the current
 * snapshot, so a reload changes them for the next connection.
 */
@ChannelHandler.Sharable
final class ConnectionTracker extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<InetAddress> ADMITTED = AttributeKey.valueOf("hecate.admitted");

    private final ProxyRuntime runtime;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();

    ConnectionTracker(ProxyRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        if (!admit(peer, runtime.snapshot().config().listen())) {
            runtime.metrics().connectionRefused();
            ctx.close();
            return;
        }
        ctx.channel().attr(ADMITTED).set(peer);
        runtime.metrics().connectionOpened();
        runtime.downstreams().add(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        InetAddress peer = ctx.channel().attr(ADMITTED).getAndSet(null);
        if (peer == null) {
            return;
        }
        release(peer);
        runtime.metrics().connectionClosed();
        ctx.fireChannelInactive();
    }

    private boolean admit(InetAddress peer, ListenConfig limits) {
        int total = open.incrementAndGet();
        // Counted inside compute, which is atomic per key with the removal in release.
        int[] fromPeer = new int[1];
        perClient.compute(peer, (p, count) -> {
            AtomicInteger counter = count == null ? new AtomicInteger() : count;
            fromPeer[0] = counter.incrementAndGet();
            return counter;
        });
        if (over(total, limits.maxConnections()) || over(fromPeer[0], limits.maxConnectionsPerClient())) {
            release(peer);
            return false;
        }
        return true;
    }

    private static boolean over(int count, int limit) {
        return limit > 0 && count > limit;
    }

    private void release(InetAddress peer) {
        open.decrementAndGet();
        perClient.computeIfPresent(peer, (p, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
}
