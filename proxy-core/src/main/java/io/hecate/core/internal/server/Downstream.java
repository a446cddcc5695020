package io.hecate.core.internal.server;

import io.hecate.core.internal.upstream.ConnectionPool;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The client's end of one {@link Exchange}: an HTTP/1.1 connection ({@link DownstreamHandler}) or
 * one HTTP/2 stream ({@link Http2DownstreamStream}). The exchange speaks HTTP/1.1 message objects
 * to either; each turns them into its own wire format, so the exchange needs no HTTP/2 knowledge.
 *
 * <p>Reads are pulled: the next request message reaches the exchange ({@link
 * Exchange#onRequestContent}) only after it called {@link #requestRead()}. Everything here is
 * called on the downstream's event loop.
 */
interface Downstream {

    /** Queues a response message (an {@code HttpObject}, or raw bytes of a tunnel); ownership passes here. */
    void write(Object message);

    /** Sends everything queued. */
    void flush();

    default void writeAndFlush(Object message) {
        write(message);
        flush();
    }

    /** Whether the client can take more now; when it becomes so again the exchange hears {@link Exchange#onDownstreamWritable()}. */
    boolean isWritable();

    /** Asks for the next request message. */
    void requestRead();

    /** Abandons the response mid-way: the connection (HTTP/1.1) or the stream (HTTP/2, reset with CANCEL) goes. */
    void close();

    /**
     * The client's connection (on HTTP/2, the one carrying the stream), for what it is, never to
     * write to: writes go through this downstream, which frames them.
     */
    Channel connection();

    default ByteBufAllocator alloc() {
        return connection().alloc();
    }

    default EventLoop eventLoop() {
        return connection().eventLoop();
    }

    default InetSocketAddress remoteAddress() {
        return (InetSocketAddress) connection().remoteAddress();
    }

    /** The peer's IP address as text, formatted once per connection. */
    String peerIp();

    /** The upstream connection pool of this downstream's event loop. */
    ConnectionPool pool();

    /** The wait for the current try's response head; on expiry the exchange hears {@link Exchange#onTryTimeout()}. */
    ResponseDeadline responseDeadline();

    /** The exchange switched protocols (HTTP/1.1 only: HTTP/2 requests carry no Upgrade). */
    void becomeTunnel(Duration idleTimeout);

    /** The exchange is over; {@code reusable} says an HTTP/1.1 connection may serve another request. */
    void exchangeFinished(Exchange finished, boolean reusable);
}
