package io.hecate.auth.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One connection to an auth service: sends one body-less GET at a time and collects the answer
 * (head and a small body). Every message the codec hands over is released here.
 */
final class AuthConnection extends ChannelInboundHandlerAdapter {

    /** Auth answers are small; a larger body is not a usable answer. */
    static final int MAX_BODY = 64 * 1024;

    private final AuthPool pool;
    private Channel channel;
    private Subrequest current;
    private boolean reusedForCurrent;
    private boolean receivedAny;
    private int uses;
    private HttpResponse head;
    private byte[] body = new byte[0];
    private int bodyLength;

    AuthConnection(AuthPool pool) {
        this.pool = pool;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    boolean isActive() {
        return channel != null && channel.isActive();
    }

    /** Whether this connection carried an exchange before the current one. */
    boolean reusedForCurrent() {
        return reusedForCurrent;
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    void send(Subrequest request, FullHttpRequest message) {
        current = request;
        reusedForCurrent = uses > 0;
        uses++;
        receivedAny = false;
        head = null;
        bodyLength = 0;
        channel.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            receivedAny = true;
            Subrequest request = current;
            if (request == null) {
                ctx.close(); // bytes on an idle connection: it is not in a state we can reuse
                return;
            }
            if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                fail(ctx, "answered with an invalid HTTP response (" + object.decoderResult().cause().getMessage() + ")");
                return;
            }
            if (msg instanceof HttpResponse response) {
                if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                    fail(ctx, "answered with an unexpected " + response.status());
                    return;
                }
                head = response;
            }
            if (msg instanceof HttpContent content) {
                if (head == null) {
                    fail(ctx, "sent a body without a response head");
                    return;
                }
                if (!append(content.content())) {
                    fail(ctx, "answered with a body larger than " + MAX_BODY / 1024 + " KiB");
                    return;
                }
                if (msg instanceof LastHttpContent) {
                    complete(ctx);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private boolean append(ByteBuf content) {
        int n = content.readableBytes();
        if (bodyLength + n > MAX_BODY) {
            return false;
        }
        if (bodyLength + n > body.length) {
            body = Arrays.copyOf(body, Math.max(bodyLength + n, Math.min(MAX_BODY, Math.max(256, body.length * 2))));
        }
        content.getBytes(content.readerIndex(), body, bodyLength, n);
        bodyLength += n;
        return true;
    }

    private void complete(ChannelHandlerContext ctx) {
        Subrequest request = current;
        current = null;
        AuthResult.Answer answer = new AuthResult.Answer(head.status().code(), head.headers(),
                new String(body, 0, bodyLength, StandardCharsets.UTF_8));
        boolean reusable = HttpUtil.isKeepAlive(head);
        head = null;
        bodyLength = 0;
        if (body.length > 4096) {
            body = new byte[0];
        }
        if (reusable) {
            pool.release(this);
        } else {
            ctx.close();
        }
        request.answered(answer);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        Subrequest request = current;
        current = null;
        ctx.close();
        request.invalid(why);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pool.closed(this);
        Subrequest request = current;
        current = null;
        if (request != null) {
            request.lost(reusedForCurrent && !receivedAny);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && current == null) {
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive reports it to the check in flight, if any
    }
}
