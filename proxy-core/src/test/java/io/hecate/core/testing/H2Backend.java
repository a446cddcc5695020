package io.hecate.core.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/2 origin over cleartext (prior knowledge) on Netty, for tests of upstreams with
 * {@code protocol: h2c}. Every connection and stream is counted; request headers are recorded.
 *
 * <ul>
 *   <li>{@code /bytes?n=N}: N bytes of {@link Pattern}, written as the stream's window allows.</li>
 *   <li>{@code /echo}: the request body back, with a trailer {@code x-trailer: done}.</li>
 *   <li>{@code /refuse}: RST_STREAM with REFUSED_STREAM, no response.</li>
 *   <li>{@code /slow?ms=D}: 200 {@code "slow"} after D milliseconds.</li>
 *   <li>{@code /goaway-once}: the first time, a GOAWAY whose last stream id is below this stream
 *       (the stream was not processed); afterwards 200 {@code "after goaway"}.</li>
 *   <li>anything else: 200 {@code "h2 <path>"}.</li>
 * </ul>
 */
public final class H2Backend implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicBoolean goAwaySent = new AtomicBoolean();
    private final List<Http2Headers> requests = new CopyOnWriteArrayList<>();

    private H2Backend(int maxConcurrentStreams) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                                .initialSettings(new Http2Settings().maxConcurrentStreams(maxConcurrentStreams))
                                .build();
                        ch.pipeline().addLast(codec, new Http2MultiplexHandler(new Stream(codec)));
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    public static H2Backend start() throws InterruptedException {
        return new H2Backend(100);
    }

    /** @param maxConcurrentStreams the SETTINGS_MAX_CONCURRENT_STREAMS it advertises */
    public static H2Backend start(int maxConcurrentStreams) throws InterruptedException {
        return new H2Backend(maxConcurrentStreams);
    }

    public String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    public int connections() {
        return connections.get();
    }

    public int streams() {
        return streams.get();
    }

    public List<Http2Headers> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @ChannelHandler.Sharable
    private final class Stream extends ChannelInboundHandlerAdapter {
        private final Http2FrameCodec codec;

        Stream(Http2FrameCodec codec) {
            this.codec = codec;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            streams.incrementAndGet();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame head) {
                    requests.add(head.headers());
                    ctx.channel().attr(Request.KEY).set(new Request(head.headers()));
                    if (head.isEndStream()) {
                        respond(ctx, ctx.channel().attr(Request.KEY).get());
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    Request request = ctx.channel().attr(Request.KEY).get();
                    ByteBuf content = data.content();
                    content.readBytes(request.body, content.readableBytes());
                    if (data.isEndStream()) {
                        respond(ctx, request);
                    }
                }
            } catch (java.io.IOException e) {
                ctx.close();
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx, Request request) {
            URI uri = URI.create(request.headers.path().toString());
            String path = uri.getPath();
            switch (path) {
                case "/refuse" -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                case "/goaway-once" -> {
                    if (goAwaySent.compareAndSet(false, true)) {
                        int id = ((Http2StreamChannel) ctx.channel()).stream().id();
                        ChannelHandlerContext codecCtx = ctx.channel().parent().pipeline().context(codec);
                        codec.goAway(codecCtx, id - 2, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                                codecCtx.newPromise());
                        codecCtx.flush();
                    } else {
                        text(ctx, "after goaway");
                    }
                }
                case "/slow" -> ctx.executor().schedule(() -> text(ctx, "slow"),
                        Long.parseLong(uri.getQuery().substring(3)), TimeUnit.MILLISECONDS);
                case "/echo" -> {
                    ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
                    ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(request.body.toByteArray()), false));
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-trailer", "done"), true));
                }
                case "/bytes" -> {
                    long n = Long.parseLong(uri.getQuery().substring(2));
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
                            .add("content-length", Long.toString(n)), n == 0));
                    new Pump(ctx, n).run();
                }
                default -> text(ctx, "h2 " + path);
            }
        }

        private void text(ChannelHandlerContext ctx, String body) {
            ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, java.nio.charset.StandardCharsets.UTF_8), true));
        }
    }

    /** Writes the pattern while the stream channel is writable (its window open), then waits for writability. */
    private static final class Pump extends ChannelInboundHandlerAdapter implements Runnable {
        private final ChannelHandlerContext ctx;
        private final long size;
        private long sent;

        Pump(ChannelHandlerContext ctx, long size) {
            this.ctx = ctx;
            this.size = size;
            ctx.pipeline().addLast(this);
        }

        @Override
        public void run() {
            while (sent < size && ctx.channel().isWritable()) {
                int n = (int) Math.min(16384, size - sent);
                byte[] chunk = new byte[n];
                Pattern.fill(chunk, n, sent);
                sent += n;
                ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(chunk), sent == size));
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                run();
            }
        }
    }

    private static final class Request {
        static final io.netty.util.AttributeKey<Request> KEY = io.netty.util.AttributeKey.valueOf(Request.class, "request");
        final Http2Headers headers;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Request(Http2Headers headers) {
            this.headers = headers;
        }
    }
}
