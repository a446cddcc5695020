package io.hecate.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Turns a downstream connection's request frames into the HTTP/1.1 message objects an {@link
 * Exchange} reads, stream by stream: the first HEADERS becomes the request head (and, with
 * END_STREAM, its end), DATA the body, a second HEADERS the trailers.
 *
 * <p>The {@code x-http2-*} headers Netty's conversion adds (stream id, scheme) are removed before
 * anything can copy them upstream, and a {@code :path} longer than {@code listen.max_request_line}
 * fails the request with 414, as on HTTP/1.1.
 *
 * <p>Flow control: a DATA frame's bytes are not returned to the client's window when it arrives
 * but when the exchange asks for the next part after it (see {@link Http2DownstreamStream}), so a
 * stream's unread body is bounded by its window.
 */
final class Http2RequestFrames extends Http2EventAdapter {

    private final Http2DownstreamConnection connection;
    private final int maxRequestLine;

    Http2RequestFrames(Http2DownstreamConnection connection, int maxRequestLine) {
        this.connection = connection;
        this.maxRequestLine = maxRequestLine;
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) throws Http2Exception {
        Http2Stream stream = connection.connection().stream(streamId);
        Http2DownstreamStream served = connection.served(stream);
        if (served != null) {
            if (!endOfStream) {
                throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR,
                        "trailers must end the stream");
            }
            served.requestEnded();
            if (served.reading()) {
                LastHttpContent end = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                HttpConversionUtil.addHttp2ToHttpHeaders(streamId, headers, end.trailingHeaders(),
                        HttpVersion.HTTP_1_1, true, true);
                served.received(end);
            }
            return;
        }
        HttpRequest request;
        try {
            request = HttpConversionUtil.toHttpRequest(streamId, headers, true);
        } catch (IllegalArgumentException e) {
            // A malformed request (RFC 9113 8.1.1) costs its stream, never the connection's other streams.
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, e, "invalid request head: %s",
                    e.getMessage());
        }
        stripExtensionHeaders(request.headers());
        if (!endOfStream && !HttpUtil.isContentLengthSet(request)) {
            // A body of unknown length, as HTTP/1.1 frames it: the upstream request is re-framed chunked.
            HttpUtil.setTransferEncodingChunked(request, true);
        }
        if (request.uri().length() > maxRequestLine) {
            request.setDecoderResult(DecoderResult.failure(new TooLongHttpLineException(
                    "the request target is longer than " + maxRequestLine + " bytes")));
        }
        Http2DownstreamStream.start(connection, stream, request, endOfStream);
    }

    static void stripExtensionHeaders(HttpHeaders headers) {
        for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
            headers.remove(name.text());
        }
    }

    /** Returns only the padding as consumed: the data's bytes are returned when the exchange took them. */
    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        Http2Stream stream = connection.connection().stream(streamId);
        Http2DownstreamStream served = stream == null ? null : connection.served(stream);
        if (served == null) {
            return data.readableBytes() + padding;
        }
        if (endOfStream) {
            served.requestEnded();
        }
        if (!served.reading()) {
            return data.readableBytes() + padding;
        }
        data.retain();
        served.received(endOfStream ? new DefaultLastHttpContent(data) : new DefaultHttpContent(data));
        return padding;
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {
        connection.pingAnswered(data);
    }
}
