package io.hecate.core.internal.server;

import io.hecate.core.config.ListenConfig;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Builds the HTTP/2 side of a downstream connection, for prior knowledge and for an h2c upgrade
 * alike: Netty's {@link Http2FrameCodec} and {@link Http2MultiplexHandler} on the connection, and
 * per stream a child channel whose pipeline ends in the same {@link DownstreamHandler} and
 * {@link Exchange} as HTTP/1.1:
 *
 * <pre>
 * connection: [ConnectionTracker][HeaderDeadline][IdleState][Http2FrameCodec][FlushConsolidation][Http2MultiplexHandler][Http2DownstreamSession]
 * stream:     [Http2StreamFrameToHttpObjectCodec][Http2StreamAdapter][FlowControlHandler][DownstreamHandler]
 * </pre>
 *
 * <p>Stream channels have auto-read off. Netty's stream channel returns flow-control credit for a
 * DATA frame only when the next {@code read()} is issued after the frame was handed to the
 * pipeline ({@code AbstractHttp2StreamChannel}: {@code doRead0} counts the bytes,
 * {@code beginRead} writes the WINDOW_UPDATE for them), and the exchange issues that read only
 * once it has written the previous part upstream and the upstream can take more. So a stream's
 * unread request body is bounded by its window, and a WINDOW_UPDATE means "consumed".
 */
final class Http2Downstream {

    /** Each stream's receive window: the HTTP/2 default, as much as one HTTP/1.1 read buffers. */
    static final int STREAM_WINDOW = Http2CodecUtil.DEFAULT_WINDOW_SIZE;
    /** At most this many flushes are held back before the socket is written anyway. */
    static final int FLUSHES_PER_WRITE = 256;
    /** Upper bound of the connection window, however many streams are allowed. */
    static final int MAX_CONNECTION_WINDOW = 64 * 1024 * 1024;

    private Http2Downstream() {
    }

    /**
     * Room for every allowed stream's full window, so a stream whose upstream is slow (and whose
     * data therefore sits unread) never takes window away from the others; capped at 64 MiB.
     */
    static int connectionWindow(int maxConcurrentStreams) {
        return (int) Math.min(MAX_CONNECTION_WINDOW, (long) maxConcurrentStreams * STREAM_WINDOW);
    }

    static Http2FrameCodec codec(ListenConfig listen) {
        Http2Settings settings = new Http2Settings()
                .maxConcurrentStreams(listen.maxConcurrentStreams())
                .initialWindowSize(STREAM_WINDOW)
                .maxHeaderListSize(listen.maxHeaderBytes());
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                // GOAWAY is sent by Http2DownstreamSession (two-phase on drain); close() just closes.
                .decoupleCloseAndGoAway(true)
                .validateHeaders(true)
                .build();
    }

    /**
     * The handlers after the codec: flush consolidation, the multiplexer and the session. Streams'
     * responses are written when their upstreams answer, each from its own upstream read, and each
     * would end in a flush of its own; {@link FlushConsolidationHandler} defers those flushes to the
     * end of the event loop's turn, so the responses of every upstream read in that turn leave in
     * one write to the socket instead of one each.
     */
    static ChannelHandler[] handlers(ProxyRuntime runtime, ListenConfig listen, HeaderDeadline deadline,
                                     String scheme) {
        Http2DownstreamSession session = new Http2DownstreamSession(connectionWindow(listen.maxConcurrentStreams()));
        ChannelHandler streams = new StreamInitializer(runtime, listen.maxRequestLine(), deadline, scheme, session);
        return new ChannelHandler[] {
            new FlushConsolidationHandler(FLUSHES_PER_WRITE, true), new Http2MultiplexHandler(streams), session};
    }

    static Http2ServerUpgradeCodec upgradeCodec(ProxyRuntime runtime, ListenConfig listen, HeaderDeadline deadline,
                                                String scheme) {
        return new Http2ServerUpgradeCodec(codec(listen), handlers(runtime, listen, deadline, scheme));
    }

    /** One per connection; builds each stream's pipeline. */
    @ChannelHandler.Sharable
    private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {

        private static final Http2StreamFrameToHttpObjectCodec CODEC = new Http2StreamFrameToHttpObjectCodec(true);
        private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

        private final ProxyRuntime runtime;
        private final int maxRequestLine;
        private final HeaderDeadline deadline;
        private final String scheme;
        private final Http2DownstreamSession session;

        StreamInitializer(ProxyRuntime runtime, int maxRequestLine, HeaderDeadline deadline, String scheme,
                          Http2DownstreamSession session) {
            this.runtime = runtime;
            this.maxRequestLine = maxRequestLine;
            this.deadline = deadline;
            this.scheme = scheme;
            this.session = session;
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.config().setAutoRead(false);
            ch.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
            Http2StreamAdapter adapter = new Http2StreamAdapter(maxRequestLine);
            ch.pipeline().addLast(CODEC, adapter, new FlowControlHandler(),
                    new DownstreamHandler(runtime, deadline, scheme, adapter));
            session.streamOpened(ch);
        }
    }
}
