package io.hecate.core.internal.upstream;

import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.config.UpstreamProtocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.hecate.core.internal.transport.IdleTimeout;
import io.netty.resolver.AddressResolverGroup;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The upstream connections of one event loop. Only that loop touches it, so it needs no locks; an
 * exchange always takes its connection from the pool of its downstream channel's loop, which keeps
 * both channels on one thread. Idle connections are reused most-recently-released first.
 *
 * <p>For an upstream with {@code protocol: h2c} the pool keeps {@link Http2UpstreamSession}s instead:
 * each exchange gets a stream of the first connection to the target that accepts one, and a new
 * connection is opened only when none does (all at their stream limit, told GOAWAY, or too old).
 * Those connections count in the same gauges: open while connected, idle while they carry no stream.
 */
public final class ConnectionPool {

    static final int MAX_RESPONSE_LINE = 8192;
    static final int MAX_RESPONSE_HEADERS = 65536;
    static final int MAX_CHUNK = 65536;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final PoolMetrics metrics;
    private final Map<String, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
    private final Map<String, List<Http2UpstreamSession>> http2 = new HashMap<>();

    public ConnectionPool(EventLoop loop, Class<? extends SocketChannel> channelType,
                          AddressResolverGroup<InetSocketAddress> resolver, PoolMetrics metrics) {
        this.loop = loop;
        this.metrics = metrics;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .resolver(resolver)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
    }

    /** Hands a live connection to {@code listener}, reusing an idle one when possible. */
    public void acquire(Target target, UpstreamConfig config, ConnectListener listener) {
        if (config.protocol() == UpstreamProtocol.H2C) {
            acquireStream(target, config, listener);
            return;
        }
        ArrayDeque<UpstreamConnection> idleForTarget = idle.get(target.key());
        if (idleForTarget != null) {
            UpstreamConnection candidate;
            while ((candidate = idleForTarget.pollFirst()) != null) {
                metrics.of(target.key()).idle.decrement();
                if (candidate.channel().isActive() && System.nanoTime() - candidate.createdNanos() < candidate.maxLifetimeNanos()) {
                    candidate.markReused();
                    metrics.of(target.key()).reused.increment();
                    listener.onConnected(candidate);
                    return;
                }
                candidate.close();
            }
        }
        connect(target, config, listener);
    }

    private void connect(Target target, UpstreamConfig config, ConnectListener listener) {
        UpstreamConnection connection = new UpstreamConnection(this, target, config);
        long idleMillis = config.idleTimeout().toMillis();
        ChannelFuture connect = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new HttpClientCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(MAX_RESPONSE_LINE)
                                        .setMaxHeaderSize(MAX_RESPONSE_HEADERS)
                                        .setMaxChunkSize(MAX_CHUNK), false, false),
                                new IdleTimeout(idleMillis, TimeUnit.MILLISECONDS),
                                connection);
                    }
                })
                .connect(target.unresolvedAddress());
        connect.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                PoolMetrics.Gauges gauges = metrics.of(target.key());
                gauges.open.increment();
                gauges.opened.increment();
                listener.onConnected(connection);
            } else {
                listener.onConnectFailed(done.cause());
            }
        });
    }

    private void acquireStream(Target target, UpstreamConfig config, ConnectListener listener) {
        List<Http2UpstreamSession> sessions = http2.computeIfAbsent(target.key(), k -> new ArrayList<>(2));
        for (int i = 0; i < sessions.size(); i++) {
            Http2UpstreamSession session = sessions.get(i);
            if (session.acceptsStream()) {
                session.open(listener);
                return;
            }
        }
        PoolMetrics.Gauges gauges = metrics.of(target.key());
        Http2UpstreamSession session = new Http2UpstreamSession(this, target, config, gauges);
        sessions.add(session);
        long idleMillis = config.idleTimeout().toMillis();
        ChannelFuture connect = bootstrap.clone()
                // HTTP/2 reads the connection continuously (PINGs, SETTINGS, WINDOW_UPDATEs must be
                // seen); backpressure is per stream, on the stream channels, which have auto-read off.
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(session.handlers(
                                new IdleTimeout(idleMillis, TimeUnit.MILLISECONDS)));
                    }
                })
                .connect(target.unresolvedAddress());
        session.open(listener);
        // Success is the session's channelActive: the connect promise completes before the codec sends its preface.
        connect.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                retired(session);
                session.connectFailed(done.cause());
            }
        });
    }

    /** The session takes no more streams (GOAWAY, closed, failed to connect). */
    void retired(Http2UpstreamSession session) {
        List<Http2UpstreamSession> sessions = http2.get(session.target().key());
        if (sessions != null) {
            sessions.remove(session);
        }
    }

    void release(UpstreamConnection connection) {
        assert loop.inEventLoop();
        if (!connection.channel().isActive()) {
            return;
        }
        if (System.nanoTime() - connection.createdNanos() >= connection.maxLifetimeNanos()) {
            connection.close();
            return;
        }
        ArrayDeque<UpstreamConnection> idleForTarget =
                idle.computeIfAbsent(connection.target().key(), k -> new ArrayDeque<>());
        if (idleForTarget.size() >= connection.maxIdle()) {
            connection.close();
            return;
        }
        idleForTarget.addFirst(connection);
        metrics.of(connection.target().key()).idle.increment();
        // A pending read lets us see the upstream close the idle connection (or misbehave) at once.
        connection.watchWhileIdle();
    }

    void closed(UpstreamConnection connection) {
        PoolMetrics.Gauges gauges = metrics.of(connection.target().key());
        gauges.open.decrement();
        ArrayDeque<UpstreamConnection> idleForTarget = idle.get(connection.target().key());
        if (idleForTarget != null && idleForTarget.remove(connection)) {
            gauges.idle.decrement();
        }
    }
}
