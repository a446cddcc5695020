package io.hecate.core.internal.server;

import io.hecate.core.config.ListenConfig;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Builds the HTTP/2 side of a downstream connection, for prior knowledge and for an h2c upgrade
 * alike:
 *
 * <pre>
 * [ConnectionTracker][HeaderDeadline][IdleTimeout][FlushConsolidation][Http2DownstreamConnection]
 * </pre>
 *
 * <p>{@link Http2DownstreamConnection} is Netty's HTTP/2 connection handler; each stream is an
 * {@link Http2DownstreamStream} object serving one {@link Exchange}, with no channel or pipeline
 * of its own (decision 0011). Streams' responses are written when their upstreams answer, each from
 * its own upstream read, and each would end in a flush of its own; {@link
 * FlushConsolidationHandler} defers those flushes to the end of the event loop's turn, so the
 * responses of every upstream read in that turn leave in one write to the socket.
 */
final class Http2Downstream {

    /** Each stream's receive window: the HTTP/2 default, as much as one HTTP/1.1 read buffers. */
    static final int STREAM_WINDOW = Http2CodecUtil.DEFAULT_WINDOW_SIZE;
    /** Upper bound of the connection window, however many streams are allowed. */
    static final int MAX_CONNECTION_WINDOW = 64 * 1024 * 1024;
    /** At most this many flushes are held back before the socket is written anyway. */
    static final int FLUSHES_PER_WRITE = 256;

    private Http2Downstream() {
    }

    /**
     * Room for every allowed stream's full window, so a stream whose upstream is slow (and whose
     * data therefore sits unread) never takes window away from the others; capped at 64 MiB.
     */
    static int connectionWindow(int maxConcurrentStreams) {
        return (int) Math.min(MAX_CONNECTION_WINDOW, (long) maxConcurrentStreams * STREAM_WINDOW);
    }

    /** The handlers of a connection that speaks HTTP/2 from its first byte (prior knowledge or ALPN h2). */
    static ChannelHandler[] handlers(ProxyRuntime runtime, ListenConfig listen, HeaderDeadline deadline,
                                     String scheme) {
        return new ChannelHandler[] {flushConsolidation(), connection(runtime, listen, deadline, scheme)};
    }

    /** The h2c upgrade of an HTTP/1.1 connection: the same handlers, installed by Netty's upgrade handler. */
    static Http2ServerUpgradeCodec upgradeCodec(ProxyRuntime runtime, ListenConfig listen, HeaderDeadline deadline,
                                                String scheme) {
        Http2DownstreamConnection connection = connection(runtime, listen, deadline, scheme);
        return new Http2ServerUpgradeCodec(connection) {
            @Override
            public void upgradeTo(ChannelHandlerContext ctx, FullHttpRequest upgradeRequest) {
                super.upgradeTo(ctx, upgradeRequest);
                ctx.pipeline().addBefore(ctx.pipeline().context(connection).name(), null, flushConsolidation());
            }
        };
    }

    private static FlushConsolidationHandler flushConsolidation() {
        return new FlushConsolidationHandler(FLUSHES_PER_WRITE, true);
    }

    private static Http2DownstreamConnection connection(ProxyRuntime runtime, ListenConfig listen,
                                                        HeaderDeadline deadline, String scheme) {
        Http2Settings settings = new Http2Settings()
                .maxConcurrentStreams(listen.maxConcurrentStreams())
                .initialWindowSize(STREAM_WINDOW)
                .maxHeaderListSize(listen.maxHeaderBytes());
        return new Http2DownstreamConnection.Builder(settings, runtime, deadline, scheme, listen.maxRequestLine(),
                connectionWindow(listen.maxConcurrentStreams())).build();
    }
}
