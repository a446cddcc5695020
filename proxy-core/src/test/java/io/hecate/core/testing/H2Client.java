package io.hecate.core.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamChannelOption;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/2 client over cleartext with prior knowledge, on Netty's frame API, for tests that need
 * what higher-level clients hide: many streams on one connection, a stream read at a set pace
 * (so its flow-control window closes), the GOAWAY frames the server sends, resets. Each instance has
 * its own one-thread event loop; close it after the test.
 */
public final class H2Client implements AutoCloseable {

    /** A complete response; {@code trailers} is empty when there were none. */
    public record Response(int streamId, Http2Headers headers, byte[] body, Http2Headers trailers) {
        public int status() {
            return Integer.parseInt(headers.status().toString());
        }

        public String header(String name) {
            CharSequence value = headers.get(name);
            return value == null ? null : value.toString();
        }
    }

    /** A GOAWAY as received. */
    public record GoAway(int lastStreamId, long errorCode) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<GoAway> goAways = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
    private final String authority;
    private final Channel channel;

    private H2Client(InetSocketAddress address) throws InterruptedException {
        this.authority = "127.0.0.1:" + address.getPort();
        this.channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                Http2FrameCodecBuilder.forClient()
                                        .initialSettings(new Http2Settings().pushEnabled(false))
                                        .build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                new ConnectionFrames());
                    }
                })
                .connect(address)
                .sync()
                .channel();
    }

    public static H2Client connect(InetSocketAddress address) throws InterruptedException {
        return new H2Client(address);
    }

    /** The server's first SETTINGS frame. */
    public Http2Settings serverSettings() throws Exception {
        return settings.get(5, TimeUnit.SECONDS);
    }

    public List<GoAway> goAways() {
        return List.copyOf(goAways);
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    public Channel channel() {
        return channel;
    }

    public CompletableFuture<Response> get(String path) {
        return send("GET", path, Map.of(), null);
    }

    /** Sends a request on a new stream: HEADERS, then the body (if any) in one DATA frame that ends the stream. */
    public CompletableFuture<Response> send(String method, String path, Map<String, String> headers, byte[] body) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Collector collector = new Collector(result);
        open(collector, true).whenComplete((stream, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
                return;
            }
            boolean bodyless = body == null || body.length == 0;
            stream.write(new DefaultHttp2HeadersFrame(requestHeaders(method, path, headers), bodyless));
            if (!bodyless) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
            }
            stream.flush();
        });
        return result;
    }

    /**
     * Downloads {@code path} reading at most {@code bytesPerSecond}: the stream channel reads one
     * frame at a time and asks for the next only when the pace allows, so the stream's window
     * closes and the server must hold back. Every byte is checked against {@link Pattern}.
     *
     * @return the number of body bytes received, when the stream ends
     */
    public PacedDownload download(String path, long bytesPerSecond) {
        PacedDownload download = new PacedDownload(bytesPerSecond);
        CompletableFuture<Http2StreamChannel> opened = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(channel)
                .option(Http2StreamChannelOption.AUTO_STREAM_FLOW_CONTROL, false)
                .handler(download)
                .open()
                .addListener(f -> {
                    if (f.isSuccess()) {
                        Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                        stream.writeAndFlush(new DefaultHttp2HeadersFrame(requestHeaders("GET", path, Map.of()), true));
                    } else {
                        download.done.completeExceptionally(f.cause());
                    }
                });
        return download;
    }

    private Http2Headers requestHeaders(String method, String path, Map<String, String> extra) {
        Http2Headers headers = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority(authority);
        extra.forEach((name, value) -> headers.add(name.toLowerCase(java.util.Locale.ROOT), value));
        return headers;
    }

    private CompletableFuture<Http2StreamChannel> open(ChannelInboundHandlerAdapter handler, boolean autoRead) {
        CompletableFuture<Http2StreamChannel> opened = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(channel)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(handler)
                .open()
                .addListener(f -> {
                    if (f.isSuccess()) {
                        opened.complete((Http2StreamChannel) f.getNow());
                    } else {
                        opened.completeExceptionally(f.cause());
                    }
                });
        return opened;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Frames of the connection itself. */
    private final class ConnectionFrames extends ChannelInboundHandlerAdapter {
        /**
         * A connection window of 16 MiB, so a stream read slowly (whose unread data holds its own
         * 64 KiB window) never takes window from the other streams of this test client.
         */
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(16 * 1024 * 1024));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame goAway) {
                goAways.add(new GoAway(goAway.lastStreamId(), goAway.errorCode()));
            } else if (msg instanceof Http2SettingsFrame frame) {
                settings.complete(frame.settings());
            }
            ReferenceCountUtil.release(msg);
        }
    }

    /** Collects one response on an auto-reading stream. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Response> result;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Http2Headers head;
        private Http2Headers trailers = new DefaultHttp2Headers();

        Collector(CompletableFuture<Response> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    CharSequence status = frame.headers().status();
                    if (head == null && status != null && status.charAt(0) == '1') {
                        return;
                    }
                    if (head == null) {
                        head = frame.headers();
                    } else {
                        trailers = frame.headers();
                    }
                    if (frame.isEndStream()) {
                        complete(ctx);
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    ByteBuf content = data.content();
                    content.readBytes(body, content.readableBytes());
                    if (data.isEndStream()) {
                        complete(ctx);
                    }
                }
            } catch (IOException e) {
                result.completeExceptionally(e);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void complete(ChannelHandlerContext ctx) {
            int streamId = ((Http2StreamChannel) ctx.channel()).stream().id();
            result.complete(new Response(streamId, head, body.toByteArray(), trailers));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                result.completeExceptionally(new IOException("stream reset by the server, error " + reset.errorCode()));
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IOException("stream closed before the response ended"));
        }
    }

    /**
     * A download consumed at a fixed pace; see {@link #download}. The stream channel reads
     * whatever arrives, but gives flow-control credit back (WINDOW_UPDATE) only as fast as the pace
     * allows, which is what a slow consumer's window does: the server may send at most one window
     * ahead of the pace.
     */
    public static final class PacedDownload extends ChannelInboundHandlerAdapter {
        private final long bytesPerSecond;
        private final AtomicLong received = new AtomicLong();
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private final CompletableFuture<Integer> status = new CompletableFuture<>();
        private long started;
        private long credited;
        private boolean creditScheduled;
        private volatile io.netty.channel.Channel stream;

        PacedDownload(long bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
        }

        /** The response status, once the head arrived. */
        public CompletableFuture<Integer> status() {
            return status;
        }

        public CompletableFuture<Long> done() {
            return done;
        }

        public long received() {
            return received.get();
        }

        /** Resets the stream (RST_STREAM CANCEL), as a client that gives up does. */
        public void cancel() {
            stream.close().syncUninterruptibly();
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            stream = ctx.channel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    status.complete(Integer.parseInt(frame.headers().status().toString()));
                    started = System.nanoTime();
                    if (frame.isEndStream()) {
                        done.complete(received.get());
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    // One copy, then check the array: with the leak detector at PARANOID every access to
                    // the buffer itself records a stack trace.
                    byte[] bytes = ByteBufUtil.getBytes(data.content());
                    long mismatch = Pattern.firstMismatch(bytes, bytes.length, received.get());
                    if (mismatch >= 0) {
                        done.completeExceptionally(new AssertionError("corrupt byte at offset " + mismatch));
                        ctx.close();
                        return;
                    }
                    received.addAndGet(data.initialFlowControlledBytes());
                    if (data.isEndStream()) {
                        done.complete(received.get());
                    } else {
                        credit(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** Returns the credit the pace allows by now, and schedules the rest. */
        private void credit(ChannelHandlerContext ctx) {
            if (creditScheduled || done.isDone()) {
                return;
            }
            long allowed = Math.min(received.get(), (long) ((System.nanoTime() - started) / 1e9 * bytesPerSecond));
            if (allowed > credited) {
                int increment = (int) (allowed - credited);
                credited = allowed;
                ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(increment));
            }
            if (credited < received.get()) {
                creditScheduled = true;
                long dueNanos = (long) (received.get() * 1e9 / bytesPerSecond) - (System.nanoTime() - started);
                ctx.executor().schedule(() -> {
                    creditScheduled = false;
                    credit(ctx);
                }, Math.max(dueNanos, TimeUnit.MILLISECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                done.completeExceptionally(new IOException("stream reset by the server, error " + reset.errorCode()));
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IOException("stream closed after " + received.get() + " bytes"));
        }
    }
}
