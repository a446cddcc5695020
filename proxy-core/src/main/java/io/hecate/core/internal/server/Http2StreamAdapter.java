package io.hecate.core.internal.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits on a downstream HTTP/2 stream channel right after Netty's
 * {@code Http2StreamFrameToHttpObjectCodec}, so that the {@link Exchange} sees the same message
 * shapes as on HTTP/1.1 and needs no HTTP/2 knowledge.
 *
 * <p>Inbound: a request that ended with its HEADERS frame arrives as a {@link FullHttpRequest};
 * it is split into head and end, as the HTTP/1.1 decoder delivers every request. The
 * {@code x-http2-*} headers the codec adds (stream id, scheme, path) are removed before anything
 * can copy them upstream, and a {@code :path} longer than {@code listen.max_request_line} fails
 * the request with 414, as on HTTP/1.1.
 *
 * <p>Outbound: an interim (1xx) head becomes the {@link FullHttpResponse} the codec requires, and
 * the empty end the HTTP/1.1 model gives it is dropped. A final head is held until the next write
 * or flush: when that is an empty end (a body-less response, HEAD, 204, or a gRPC trailers-only
 * answer), both go out as one HEADERS frame with END_STREAM instead of HEADERS plus an empty DATA
 * frame, which gRPC clients reject. The write of the response's end is remembered, so the stream
 * can be ended only after it is on its way.
 */
final class Http2StreamAdapter extends ChannelDuplexHandler {

    private final int maxRequestLine;
    private HttpResponse heldHead;
    private ChannelPromise heldPromise;
    private boolean interim;
    private ChannelFuture endWritten;

    Http2StreamAdapter(int maxRequestLine) {
        this.maxRequestLine = maxRequestLine;
    }

    // ---- inbound ----------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            stripExtensionHeaders(request.headers());
            if (request.uri().length() > maxRequestLine && request.decoderResult().isSuccess()) {
                request.setDecoderResult(DecoderResult.failure(new TooLongHttpLineException(
                        "the request target is longer than " + maxRequestLine + " bytes")));
            }
            if (request instanceof FullHttpRequest full && full.decoderResult().isSuccess()) {
                ctx.fireChannelRead(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
                        full.headers()));
                ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    static void stripExtensionHeaders(HttpHeaders headers) {
        for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
            headers.remove(name.text());
        }
    }

    // ---- outbound ---------------------------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (interim) {
            // The empty body the HTTP/1.1 model gives an interim response: nothing to send.
            if (msg instanceof HttpContent) {
                interim = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                promise.trySuccess();
                return;
            }
            interim = false;
        }
        if (msg instanceof HttpResponse head && !(msg instanceof FullHttpResponse)) {
            writeHeld(ctx);
            if (head.status().code() < 200) {
                interim = true;
                ctx.write(new DefaultFullHttpResponse(head.protocolVersion(), head.status(), Unpooled.EMPTY_BUFFER,
                        head.headers(), EmptyHttpHeaders.INSTANCE), promise);
            } else {
                heldHead = head;
                heldPromise = promise;
            }
            return;
        }
        if (heldHead != null && msg instanceof LastHttpContent end && !end.content().isReadable()) {
            HttpResponse head = heldHead;
            ChannelPromise headPromise = heldPromise;
            heldHead = null;
            heldPromise = null;
            ChannelPromise endPromise = trackEnd(ctx, promise);
            if (!headPromise.isVoid()) {
                endPromise.addListener(f -> {
                    if (f.isSuccess()) {
                        headPromise.trySuccess();
                    } else {
                        headPromise.tryFailure(f.cause());
                    }
                });
            }
            ctx.write(new DefaultFullHttpResponse(head.protocolVersion(), head.status(), end.content(),
                    head.headers(), end.trailingHeaders()), endPromise);
            return;
        }
        writeHeld(ctx);
        if (msg instanceof LastHttpContent) {
            promise = trackEnd(ctx, promise);
        }
        ctx.write(msg, promise);
    }

    private ChannelPromise trackEnd(ChannelHandlerContext ctx, ChannelPromise promise) {
        ChannelPromise tracked = promise.isVoid() ? ctx.newPromise() : promise;
        endWritten = tracked;
        return tracked;
    }

    private void writeHeld(ChannelHandlerContext ctx) {
        if (heldHead != null) {
            HttpResponse head = heldHead;
            ChannelPromise promise = heldPromise;
            heldHead = null;
            heldPromise = null;
            ctx.write(head, promise);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        writeHeld(ctx);
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        heldHead = null;
        heldPromise = null;
        ctx.close(promise);
    }

    // ---- the end of the stream --------------------------------------------------------------------

    /**
     * The stream's exchange is over. Once the end of the response has been written (past HTTP/2
     * flow control, which may hold it while the client's window is closed), a stream the client is
     * still sending on is reset with NO_ERROR (RFC 9113 8.1: a complete response may cut the request
     * short); a stream whose response never ended is reset with CANCEL by closing the channel; a
     * stream closed in both directions just has its channel closed (no frame is sent).
     */
    void exchangeFinished(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (!channel.isActive()) {
            return;
        }
        channel.flush();
        ChannelFuture written = endWritten;
        if (written == null || written.isDone()) {
            endStream(channel);
        } else {
            written.addListener(f -> endStream(channel));
        }
    }

    private static void endStream(Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        Http2Stream.State state = ((Http2StreamChannel) channel).stream().state();
        if (state == Http2Stream.State.HALF_CLOSED_LOCAL) {
            channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
        } else {
            channel.close();
        }
    }
}
