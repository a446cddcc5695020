package io.hecate.core.internal.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;

/**
 * Upgrades an HTTP/1.1 connection to HTTP/2 on {@code Upgrade: h2c} (RFC 7540 3.2), on the first
 * request only, and only when that request has no body (a body would have to be buffered whole
 * before switching; such a request is simply served over HTTP/1.1, which the RFC allows). Any
 * other {@code Upgrade} (WebSocket) passes through untouched to the exchange.
 *
 * <p>Netty's {@link HttpServerUpgradeHandler} writes the 101, calls the {@link
 * HttpServerUpgradeHandler.SourceCodec} to take the HTTP/1.1 handlers out, installs the HTTP/2
 * handlers and replays the upgrade request as stream 1. It removes itself after the first request,
 * so keep-alive HTTP/1.1 traffic never passes through it again.
 */
final class H2cUpgrade extends HttpServerUpgradeHandler {

    private static final AsciiString H2C = AsciiString.cached("h2c");

    H2cUpgrade(SourceCodec source, UpgradeCodecFactory factory) {
        super(source, factory, 0, DefaultHttpHeadersFactory.headersFactory(),
                DefaultHttpHeadersFactory.trailersFactory(), true);
    }

    @Override
    protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
        return request.decoderResult().isSuccess()
                && asksForH2c(request.headers().get(HttpHeaderNames.UPGRADE))
                && !HttpUtil.isTransferEncodingChunked(request)
                && HttpUtil.getContentLength(request, 0L) == 0;
    }

    static boolean asksForH2c(String upgrade) {
        if (upgrade == null) {
            return false;
        }
        for (String token : upgrade.split(",")) {
            if (H2C.contentEqualsIgnoreCase(token.trim())) {
                return true;
            }
        }
        return false;
    }

    /**
     * An upgrade that was declined (no HTTP2-Settings, say) hands on the aggregated request: split
     * it into head and end again, the shape the decoder gives every other request, so the exchange
     * sees its request complete.
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        super.decode(ctx, msg, out);
        boolean split = false;
        for (Object decoded : out) {
            split |= decoded instanceof FullHttpRequest full && full.decoderResult().isSuccess();
        }
        if (!split) {
            return;
        }
        // The codec's output list only appends, so rebuild it in order.
        List<Object> decoded = new ArrayList<>(out);
        out.clear();
        for (Object message : decoded) {
            if (message instanceof FullHttpRequest full && full.decoderResult().isSuccess()) {
                out.add(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers()));
                out.add(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            } else {
                out.add(message);
            }
        }
    }
}
