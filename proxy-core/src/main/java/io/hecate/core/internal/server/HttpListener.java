package io.hecate.core.internal.server;

import io.hecate.core.config.ListenAddress;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.hecate.core.tls.TlsContextProvider;
import io.hecate.core.internal.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

import java.net.InetSocketAddress;

/** A bound downstream listener; closing it stops accepting but leaves accepted connections alone. */
public final class HttpListener {

    private final Channel serverChannel;

    private HttpListener(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    public static HttpListener bind(Transport transport, EventLoopGroup acceptor, EventLoopGroup workers,
                                    ProxyRuntime runtime, ListenAddress address) throws InterruptedException {
        return bind(transport, acceptor, workers, runtime, address, null);
    }

    /** @param tls the certificates of an HTTPS listener, or {@code null} for cleartext HTTP */
    public static HttpListener bind(Transport transport, EventLoopGroup acceptor, EventLoopGroup workers,
                                    ProxyRuntime runtime, ListenAddress address, TlsContextProvider tls)
            throws InterruptedException {
        Channel channel = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(tls == null ? new DownstreamInitializer(runtime, "http")
                        : new DownstreamInitializer(runtime, "https", tls))
                .bind(address.toSocketAddress())
                .sync()
                .channel();
        return new HttpListener(channel);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public void close() {
        serverChannel.close().syncUninterruptibly();
    }

    /** Asks every open downstream connection to finish its exchange and close. */
    public static void drain(ProxyRuntime runtime) {
        runtime.downstreams().forEach(ch -> ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DownstreamHandler.DRAIN)));
    }
}
