package io.hecate.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * Looks at the first bytes of a cleartext downstream connection and installs the pipeline of the
 * protocol it speaks: HTTP/2 when they are the connection preface (h2c with prior knowledge),
 * HTTP/1.1 otherwise (which can still become HTTP/2 by {@code Upgrade: h2c}). Then it hands the
 * bytes it held to the new pipeline and removes itself.
 *
 * <p>A request method never starts with "PRI * HTTP/2.0", so HTTP/1.1 is usually decided at the
 * first or second byte; only a client that stalls inside the 24-byte preface keeps us waiting, and
 * the header deadline (which sees every byte, it sits before us) still runs. Whatever event arrives
 * before the decision (the deadline, idle, drain) settles it as HTTP/1.1, whose handler knows how
 * to answer those on a connection that has not sent a request yet.
 *
 * <p>{@code channelActive} is held back until the decision and then fired from here, so the
 * installed handlers see the connection open exactly once.
 */
final class ProtocolDetector extends ChannelInboundHandlerAdapter {

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Installs the handlers of the chosen protocol at the end of the pipeline. */
    interface Installer {
        void installHttp1(ChannelHandlerContext ctx);

        void installHttp2(ChannelHandlerContext ctx);
    }

    private final Installer installer;
    private ByteBuf held;
    private boolean decided;

    ProtocolDetector(Installer installer) {
        this.installer = installer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided || !(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (held == null) {
            held = bytes;
        } else {
            ByteBuf joined = ctx.alloc().buffer(held.readableBytes() + bytes.readableBytes());
            joined.writeBytes(held).writeBytes(bytes);
            held.release();
            bytes.release();
            held = joined;
        }
        Boolean http2 = isPreface(held);
        if (http2 != null) {
            decide(ctx, http2);
        }
    }

    /** @return true for the complete preface, false at the first byte that differs, null while undecided */
    static Boolean isPreface(ByteBuf bytes) {
        int n = Math.min(bytes.readableBytes(), PREFACE.length);
        int start = bytes.readerIndex();
        for (int i = 0; i < n; i++) {
            if (bytes.getByte(start + i) != PREFACE[i]) {
                return Boolean.FALSE;
            }
        }
        return n == PREFACE.length ? Boolean.TRUE : null;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!decided) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!decided) {
            decide(ctx, false);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    private void releaseHeld() {
        if (held != null) {
            ReferenceCountUtil.release(held);
            held = null;
        }
    }

    private void decide(ChannelHandlerContext ctx, boolean http2) {
        decided = true;
        if (http2) {
            installer.installHttp2(ctx);
        } else {
            installer.installHttp1(ctx);
        }
        ByteBuf bytes = held;
        held = null;
        ctx.fireChannelActive();
        if (bytes != null) {
            ctx.fireChannelRead(bytes);
            ctx.fireChannelReadComplete();
        }
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }
}
