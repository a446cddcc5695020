package io.hecate.auth.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The connections of one event loop to one auth service. Only that loop touches it (no locks).
 * Idle connections are reused most recently released first, after checking they are still open;
 * at most {@code maxConnections} are open, further checks wait in order for one to be released.
 */
final class AuthPool {

    /** Shorter than the keep-alive timeout of common servers, so they never close one we are about to reuse. */
    static final long IDLE_TIMEOUT_MILLIS = 20_000;
    static final int MAX_IDLE = 16;
    private static final int MAX_RESPONSE_HEADERS = 64 * 1024;

    private final EventLoop loop;
    private final AuthService service;
    private final Bootstrap bootstrap;
    private final ArrayDeque<AuthConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Subrequest> waiting = new ArrayDeque<>();
    private int open;

    AuthPool(EventLoop loop, AuthService service) {
        this.loop = loop;
        this.service = service;
        boolean epoll = LoopTransport.isEpoll(loop);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(LoopTransport.socketChannel(epoll))
                .resolver(service.client().resolver(epoll))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    void acquire(Subrequest request) {
        AuthConnection candidate;
        while ((candidate = idle.pollFirst()) != null) {
            if (candidate.isActive()) {
                request.connected(candidate);
                return;
            }
            candidate.close();
        }
        if (open < service.maxConnections()) {
            connect(request);
        } else {
            waiting.addLast(request);
        }
    }

    /** A new connection, for the retry after a pooled one turned out closed. */
    void connect(Subrequest request) {
        open++;
        AuthConnection connection = new AuthConnection(this);
        ChannelFuture connect = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        TimeUnit.NANOSECONDS.toMillis(request.timeoutNanos()))))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new HttpClientCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(8192)
                                        .setMaxHeaderSize(MAX_RESPONSE_HEADERS)
                                        .setMaxChunkSize(AuthConnection.MAX_BODY), false, false),
                                new IdleStateHandler(0, 0, IDLE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS),
                                connection);
                    }
                })
                .connect(InetSocketAddress.createUnresolved(service.address().host(), service.address().port()));
        connect.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                request.connected(connection);
            } else {
                // Never active, so the handler will not report it closed: account for it here.
                open--;
                request.connectFailed(done.cause());
                serveWaiting();
            }
        });
    }

    /** A connection that finished an exchange cleanly: to the next waiting check, or idle. */
    void release(AuthConnection connection) {
        Subrequest next;
        while ((next = waiting.pollFirst()) != null) {
            if (!next.isDone()) {
                next.connected(connection);
                return;
            }
        }
        if (idle.size() >= MAX_IDLE) {
            connection.close();
            return;
        }
        idle.addFirst(connection);
    }

    void closed(AuthConnection connection) {
        open--;
        idle.remove(connection);
        serveWaiting();
    }

    private void serveWaiting() {
        while (open < service.maxConnections() && !waiting.isEmpty()) {
            Subrequest next = waiting.pollFirst();
            if (!next.isDone()) {
                connect(next);
            }
        }
    }

    EventLoop loop() {
        return loop;
    }
}
