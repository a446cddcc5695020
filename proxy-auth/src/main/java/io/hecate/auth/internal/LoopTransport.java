package io.hecate.auth.internal;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The channel classes that can be registered with a given event loop: epoll's on an epoll loop, else NIO's. */
final class LoopTransport {

    private LoopTransport() {
    }

    static boolean isEpoll(EventLoop loop) {
        try {
            return loop instanceof IoEventLoop io && io.isIoType(EpollIoHandler.class);
        } catch (LinkageError epollClassesMissing) {
            return false;
        }
    }

    static Class<? extends SocketChannel> socketChannel(boolean epoll) {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    static Class<? extends DatagramChannel> datagramChannel(boolean epoll) {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
