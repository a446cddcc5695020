package io.hecate.core.internal.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** Serves the admin endpoints. Small requests only: the admin pipeline aggregates them. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final AdminApi api;

    AdminHandler(AdminApi api) {
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            send(ctx, HttpResponseStatus.BAD_REQUEST, TEXT, "malformed request\n", false);
            return;
        }
        String path = request.uri();
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        HttpMethod method = request.method();
        if ("/reload".equals(path)) {
            if (!HttpMethod.POST.equals(method)) {
                send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "use POST /reload\n", keepAlive);
                return;
            }
            api.reload().whenComplete((outcome, failure) -> ctx.executor().execute(() -> {
                if (failure != null) {
                    send(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, failure + "\n", keepAlive);
                } else {
                    send(ctx, outcome.applied() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY,
                            TEXT, outcome.message() + "\n", keepAlive);
                }
            }));
            return;
        }
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "use GET\n", keepAlive);
            return;
        }
        switch (path) {
            case "/metrics" -> send(ctx, HttpResponseStatus.OK, PROMETHEUS, api.metricsText(), keepAlive);
            case "/health" -> send(ctx, HttpResponseStatus.OK, TEXT, "ok\n", keepAlive);
            case "/ready" -> send(ctx, api.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    TEXT, api.ready() ? "ready\n" : "not ready\n", keepAlive);
            case "/config" -> send(ctx, HttpResponseStatus.OK, JSON, api.configJson(), keepAlive);
            case "/routes" -> send(ctx, HttpResponseStatus.OK, JSON, api.routesJson(), keepAlive);
            case "/upstreams" -> send(ctx, HttpResponseStatus.OK, JSON, api.upstreamsJson(), keepAlive);
            default -> {
                io.hecate.core.AdminEndpoint endpoint = api.endpoint(path);
                if (endpoint != null) {
                    send(ctx, HttpResponseStatus.OK, JSON, endpoint.json(), keepAlive);
                } else {
                    send(ctx, HttpResponseStatus.NOT_FOUND, TEXT, "no admin endpoint " + path
                            + " (try /metrics /health /ready /config /routes /upstreams, POST /reload)\n", keepAlive);
                }
            }
        }
    }

    private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body, boolean keepAlive) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(response, bytes.length);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
