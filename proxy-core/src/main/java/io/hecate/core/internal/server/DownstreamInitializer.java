package io.hecate.core.internal.server;

import io.hecate.core.config.ListenConfig;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.hecate.core.internal.transport.IdleTimeout;
import io.hecate.core.tls.TlsContextProvider;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.AsciiString;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * Builds a downstream connection's pipeline. Every connection starts with the connection tracker,
 * the header deadline, the idle timeout and a {@link ProtocolDetector}, which installs one of:
 *
 * <pre>
 * HTTP/1.1: [RequestDecoder|ResponseEncoder][H2cUpgrade][FlowControlHandler][DownstreamHandler]
 * HTTP/2:   [FlushConsolidation][Http2DownstreamConnection]   (see Http2Downstream)
 * </pre>
 *
 * On the HTTPS listener a {@link ClientHelloRouter} takes the detector's place (it becomes the
 * {@code SslHandler} of the context the {@link TlsContextProvider} chose for the client's SNI name
 * and ALPN list), and {@link TlsProtocolInstaller} installs HTTP/2 or HTTP/1.1 (without the h2c
 * upgrade, which is for cleartext only) by the protocol ALPN negotiated.
 *
 * <p>The HTTP/1.1 codec is Netty's made strict; the {@link FlowControlHandler} hands on one decoded
 * message per read, since one socket read can hold several. {@link H2cUpgrade} is there for the
 * first request only.
 */
public final class DownstreamInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_CHUNK = 65536;

    private final ProxyRuntime runtime;
    private final String scheme;
    private final ConnectionTracker tracker;
    private final TlsContextProvider tls;

    /** A cleartext listener ({@code http}). */
    public DownstreamInitializer(ProxyRuntime runtime, String scheme) {
        this(runtime, scheme, null);
    }

    /** @param tls the contexts of a TLS listener ({@code https}), or {@code null} for cleartext */
    public DownstreamInitializer(ProxyRuntime runtime, String scheme, TlsContextProvider tls) {
        this.runtime = runtime;
        this.scheme = scheme;
        this.tracker = new ConnectionTracker(runtime);
        this.tls = tls;
    }

    /** Limits and timeouts come from the snapshot current at accept time, so a reload changes them for new connections. */
    @Override
    protected void initChannel(SocketChannel ch) {
        ListenConfig listen = runtime.snapshot().config().listen();
        HeaderDeadline deadline = new HeaderDeadline(listen.headerTimeout().toNanos());
        if (tls != null) {
            // The header deadline sits before TLS, so it also bounds a handshake that never ends.
            ch.pipeline().addLast(
                    tracker,
                    deadline,
                    new IdleTimeout(listen.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                    TlsProtocolInstaller.sniHandler(tls, listen.headerTimeout().toMillis()),
                    new TlsProtocolInstaller(new ProtocolDetector.Installer() {
                        @Override
                        public void installHttp1(ChannelHandlerContext ctx) {
                            DownstreamInitializer.this.installHttp1(ctx.pipeline(), listen, deadline, false);
                        }

                        @Override
                        public void installHttp2(ChannelHandlerContext ctx) {
                            ctx.pipeline().addLast(Http2Downstream.handlers(runtime, listen, deadline, scheme));
                        }
                    }));
            return;
        }
        ch.pipeline().addLast(
                tracker,
                deadline,
                new IdleTimeout(listen.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                new ProtocolDetector(new ProtocolDetector.Installer() {
                    @Override
                    public void installHttp1(ChannelHandlerContext ctx) {
                        DownstreamInitializer.this.installHttp1(ctx.pipeline(), listen, deadline, true);
                    }

                    @Override
                    public void installHttp2(ChannelHandlerContext ctx) {
                        ctx.pipeline().addLast(Http2Downstream.handlers(runtime, listen, deadline, scheme));
                    }
                }));
    }

    private void installHttp1(ChannelPipeline pipeline, ListenConfig listen, HeaderDeadline deadline,
                              boolean h2cUpgrade) {
        Queue<HttpMethod> methods = new ArrayDeque<>(2);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(listen.maxRequestLine())
                .setMaxHeaderSize(listen.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        ChannelHandler codec = new CombinedChannelDuplexHandler<>(new RequestDecoder(decoder, methods),
                new ResponseEncoder(methods));
        ChannelHandler flow = new FlowControlHandler();
        ChannelHandler handler = new DownstreamHandler(runtime, deadline, scheme);
        if (!h2cUpgrade) {
            pipeline.addLast(codec, flow, handler);
            return;
        }
        HttpServerUpgradeHandler.SourceCodec http1 = ctx -> {
            ChannelPipeline p = ctx.pipeline();
            p.remove(codec);
            p.remove(flow);
            p.remove(handler);
        };
        HttpServerUpgradeHandler.UpgradeCodecFactory h2c = protocol ->
                AsciiString.contentEqualsIgnoreCase(protocol, "h2c")
                        ? Http2Downstream.upgradeCodec(runtime, listen, deadline, scheme) : null;
        pipeline.addLast(codec, new H2cUpgrade(http1, h2c), flow, handler);
    }
}
