package io.hecate.core.internal.upstream;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.HttpConversionUtil;

/**
 * Gives the exchange an HTTP/2 response in the shapes of the HTTP/1.1 client codec: a response (or
 * a 1xx) that ended with its HEADERS frame arrives from Netty's codec as one
 * {@link FullHttpResponse} and is split into head and end; the {@code x-http2-*} headers the codec
 * adds never reach the client.
 */
@ChannelHandler.Sharable
final class Http2UpstreamStreamAdapter extends ChannelInboundHandlerAdapter {

    static final Http2UpstreamStreamAdapter INSTANCE = new Http2UpstreamStreamAdapter();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response) {
            strip(response.headers());
            if (response instanceof FullHttpResponse full) {
                ctx.fireChannelRead(new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()));
                ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static void strip(HttpHeaders headers) {
        for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
            headers.remove(name.text());
        }
    }
}
