package io.hecate.core.internal.server;

import io.hecate.core.config.ListenAddress;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.hecate.core.tls.TlsContextProvider;
import io.hecate.core.internal.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A bound downstream listener; closing it stops accepting but leaves accepted connections alone. */
public final class HttpListener {

    private final List<Channel> serverChannels;

    private HttpListener(List<Channel> serverChannels) {
        this.serverChannels = List.copyOf(serverChannels);
    }

    /**
     * With epoll, every worker event loop gets a server socket of its own on the same address
     * ({@code SO_REUSEPORT}) and accepts its own connections: no acceptor thread hands each new
     * connection to another thread. Elsewhere one acceptor thread accepts for all workers.
     */
    public static HttpListener bind(Transport transport, EventLoopGroup acceptor, EventLoopGroup workers,
                                    ProxyRuntime runtime, ListenAddress address) throws InterruptedException {
        return bind(transport, acceptor, workers, runtime, address, null);
    }

    /** @param tls the certificates of an HTTPS listener, or {@code null} for cleartext HTTP */
    public static HttpListener bind(Transport transport, EventLoopGroup acceptor, EventLoopGroup workers,
                                    ProxyRuntime runtime, ListenAddress address, TlsContextProvider tls)
            throws InterruptedException {
        DownstreamInitializer initializer = tls == null ? new DownstreamInitializer(runtime, "http")
                : new DownstreamInitializer(runtime, "https", tls);
        if (transport != Transport.EPOLL) {
            return new HttpListener(List.of(bootstrap(transport, acceptor, workers, initializer)
                    .bind(address.toSocketAddress()).sync().channel()));
        }
        List<Channel> channels = new ArrayList<>();
        InetSocketAddress bindTo = address.toSocketAddress();
        try {
            for (EventExecutor executor : workers) {
                EventLoop loop = (EventLoop) executor;
                Channel channel = bootstrap(transport, loop, loop, initializer)
                        .option(EpollChannelOption.SO_REUSEPORT, true)
                        .bind(bindTo).sync().channel();
                channels.add(channel);
                // Port 0 picks a free port once; the other loops join that port.
                bindTo = (InetSocketAddress) channel.localAddress();
            }
        } catch (RuntimeException | InterruptedException e) {
            channels.forEach(channel -> channel.close().syncUninterruptibly());
            throw e;
        }
        return new HttpListener(channels);
    }

    private static ServerBootstrap bootstrap(Transport transport, EventLoopGroup acceptor, EventLoopGroup workers,
                                             DownstreamInitializer initializer) {
        return new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                // No TCP_NODELAY here: Netty sets it on every accepted socket already, and setting it
                // again costs a system call per connection.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(initializer);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannels.get(0).localAddress();
    }

    public void close() {
        serverChannels.forEach(channel -> channel.close().syncUninterruptibly());
    }

    /** Asks every open downstream connection to finish its exchange and close. */
    public static void drain(ProxyRuntime runtime) {
        runtime.downstreams().forEach(ch -> ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DownstreamHandler.DRAIN)));
    }
}
