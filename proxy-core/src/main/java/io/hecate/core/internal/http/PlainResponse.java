package io.hecate.core.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** Builds the complete responses Hecate answers by itself: errors, static bodies and redirects. */
public final class PlainResponse {

    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    private PlainResponse() {
    }

    /** An error response whose body names the cause, e.g. {@code 502 Bad Gateway: connection refused}. */
    public static FullHttpResponse error(ByteBufAllocator alloc, HttpResponseStatus status, String reason) {
        return text(alloc, status, status.code() + " " + status.reasonPhrase() + ": " + reason + "\n", null);
    }

    /** A response with the given body; {@code headers} may be {@code null}. */
    public static FullHttpResponse text(ByteBufAllocator alloc, HttpResponseStatus status, String body, HttpHeaders headers) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        ByteBuf content = bytes.length == 0 ? alloc.buffer(0, 0) : alloc.buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        if (headers != null) {
            response.headers().set(headers);
        }
        if (bytes.length > 0 && !response.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
        }
        if (status.code() >= 200 && status.code() != 204 && status.code() != 304) {
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        }
        return response;
    }

    public static void closeConnection(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
}
