package io.hecate.core.internal.server;

import io.hecate.core.tls.TlsContextProvider;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Waits, behind the TLS handler, for the handshake of an HTTPS connection and then installs the
 * pipeline of the protocol ALPN chose: HTTP/2 for {@code h2}, HTTP/1.1 for {@code http/1.1} or no
 * ALPN at all. Any other protocol (such as {@code acme-tls/1}, whose handshake alone is the answer
 * to a TLS-ALPN-01 challenge) gets no HTTP and the connection is closed after the handshake.
 *
 * <p>Like {@link ProtocolDetector}, it holds {@code channelActive} back until the protocol is known
 * and fires it from here, so the installed handlers see the connection open exactly once. Any
 * event before the handshake completed (header deadline, idle, drain) closes the connection: no
 * request can be in flight on it yet.
 */
final class TlsProtocolInstaller extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TlsProtocolInstaller.class);
    private static final int MAX_CLIENT_HELLO = 16 * 1024;

    private final ProtocolDetector.Installer installer;
    private boolean decided;

    TlsProtocolInstaller(ProtocolDetector.Installer installer) {
        this.installer = installer;
    }

    /**
     * Reads the ClientHello, asks the provider for the context of the SNI name (and the ALPN
     * protocols offered), and replaces itself with that context's {@code SslHandler}. A provider
     * that answers {@code null} refuses the connection.
     */
    static ClientHelloRouter sniHandler(TlsContextProvider provider, long handshakeTimeoutMillis) {
        return new ClientHelloRouter(provider, MAX_CLIENT_HELLO, handshakeTimeoutMillis);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) {
            ctx.fireChannelRead(msg);
            return;
        }
        // TLS hands on application data only after the handshake event; anything else is a bug.
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (decided) {
            ctx.fireChannelReadComplete();
        } else {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (decided) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), done.cause().toString());
                ctx.close();
                return;
            }
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            String protocol = ssl == null ? null : ssl.applicationProtocol();
            if (protocol == null || ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
                decide(ctx, false);
            } else if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                decide(ctx, true);
            } else {
                ctx.close();
            }
            return;
        }
        if (evt instanceof SniCompletionEvent) {
            return;
        }
        // Header deadline, idle or drain before the handshake finished: nothing to finish, close.
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (decided) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        LOG.debug("TLS connection from {} failed before HTTP: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void decide(ChannelHandlerContext ctx, boolean http2) {
        decided = true;
        if (http2) {
            installer.installHttp2(ctx);
        } else {
            installer.installHttp1(ctx);
        }
        ctx.fireChannelActive();
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }
}
