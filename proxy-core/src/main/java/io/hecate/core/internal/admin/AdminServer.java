package io.hecate.core.internal.admin;

import io.hecate.core.config.ListenAddress;
import io.hecate.core.internal.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.net.InetSocketAddress;

/**
 * The admin listener, on an event loop of its own so that a scrape or a reload never competes
 * with proxied traffic.
 */
public final class AdminServer {

    private static final int MAX_ADMIN_REQUEST = 64 * 1024;

    private final Channel serverChannel;

    private AdminServer(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    public static AdminServer bind(Transport transport, EventLoopGroup group, ListenAddress address, AdminApi api)
            throws InterruptedException {
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_ADMIN_REQUEST),
                                new AdminHandler(api));
                    }
                })
                .bind(address.toSocketAddress())
                .sync()
                .channel();
        return new AdminServer(channel);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public void close() {
        serverChannel.close().syncUninterruptibly();
    }
}
