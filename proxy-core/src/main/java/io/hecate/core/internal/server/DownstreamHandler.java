package io.hecate.core.internal.server;

import io.hecate.core.internal.http.PlainResponse;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.hecate.core.internal.upstream.ConnectionPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import io.hecate.core.internal.transport.IdleTimeout;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a downstream HTTP/1.1 connection: turns request heads into {@link Exchange}s,
 * one at a time, and decides when the connection reads its next request or closes. Reading is
 * never automatic: the next request head is read only once the previous exchange has finished.
 */
final class DownstreamHandler extends ChannelInboundHandlerAdapter implements Downstream {

    /** Fired on every downstream channel when the proxy starts draining. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DownstreamHandler.DRAIN";
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(DownstreamHandler.class);

    private final ProxyRuntime runtime;
    private final HeaderDeadline deadline;
    private final String scheme;
    private ChannelHandlerContext ctx;
    private ConnectionPool pool;
    private String peerIp;
    private ResponseDeadline responseDeadline;
    private Exchange exchange;
    private boolean readRequested;
    private boolean closing;

    DownstreamHandler(ProxyRuntime runtime, HeaderDeadline deadline, String scheme) {
        this.runtime = runtime;
        this.deadline = deadline;
        this.scheme = scheme;
    }

    @Override
    public void write(Object message) {
        ctx.write(message, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public void writeAndFlush(Object message) {
        ctx.writeAndFlush(message, ctx.voidPromise());
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void close() {
        ctx.close();
    }

    @Override
    public Channel connection() {
        return ctx.channel();
    }

    @Override
    public ConnectionPool pool() {
        return pool;
    }

    @Override
    public ResponseDeadline responseDeadline() {
        return responseDeadline;
    }

    @Override
    public String peerIp() {
        if (peerIp == null) {
            peerIp = remoteAddress().getAddress().getHostAddress();
        }
        return peerIp;
    }

    /**
     * Asks for the next request message. At most one read is outstanding, so the flow-control
     * handler delivers exactly one message per request and a pipelined request waits its turn.
     */
    @Override
    public void requestRead() {
        if (!readRequested && !closing) {
            readRequested = true;
            ctx.read();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.responseDeadline = new ResponseDeadline(ctx.executor(), () -> exchange);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Connections are counted and registered for draining by the ConnectionTracker.
        pool = runtime.pool(ctx.channel().eventLoop());
        requestRead();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readRequested = false;
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            if (exchange != null) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            deadline.headReceived();
            exchange = new Exchange(this, runtime, request, scheme);
            exchange.start();
        } else if (msg instanceof HttpContent content && exchange != null) {
            exchange.onRequestContent(content);
        } else if (msg instanceof ByteBuf data && exchange != null) {
            exchange.onTunnelData(data);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readRequested = false;
        if (exchange == null) {
            requestRead();
        } else {
            exchange.onDownstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.onDownstreamWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        responseDeadline.cancel();
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.onDownstreamClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("downstream {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == HeaderDeadline.EXPIRED) {
            if (exchange == null) {
                FullHttpResponse timeout = PlainResponse.error(ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT,
                        "the request head did not arrive in time");
                PlainResponse.closeConnection(timeout.headers());
                closing = true;
                ctx.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
            }
        } else if (evt instanceof IdleStateEvent) {
            if (exchange == null || !exchange.awaitingUpstream()) {
                ctx.close();
            }
        } else if (evt == DRAIN) {
            if (exchange == null) {
                ctx.close();
            }
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    /**
     * The exchange switched protocols: the HTTP codec and the header deadline leave the pipeline
     * (bytes the decoder still held flow on as they are), the idle timeout becomes the upgrade's,
     * and the connection moves to the group that shutdown closes last.
     */
    @Override
    public void becomeTunnel(Duration idleTimeout) {
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.replace(IdleTimeout.class, null,
                new IdleTimeout(idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        pipeline.remove(HeaderDeadline.class);
        pipeline.remove(CombinedChannelDuplexHandler.class);
        runtime.downstreams().remove(ctx.channel());
        runtime.upgraded().add(ctx.channel());
    }

    @Override
    public void exchangeFinished(Exchange finished, boolean reusable) {
        if (exchange != finished) {
            return;
        }
        exchange = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (reusable && !runtime.draining()) {
            deadline.awaitNextRequest();
            requestRead();
        } else {
            closing = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
