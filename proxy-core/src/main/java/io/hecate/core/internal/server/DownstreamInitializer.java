package io.hecate.core.internal.server;

import io.hecate.core.config.ListenConfig;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * Builds a downstream connection's pipeline: header deadline, idle timeout, the strict HTTP/1.1
 * codec, a {@link FlowControlHandler} (one decoded message per read, since one socket read can
 * hold several) and the {@link DownstreamHandler}.
 */
public final class DownstreamInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_CHUNK = 65536;

    private final ProxyRuntime runtime;
    private final String scheme;

    public DownstreamInitializer(ProxyRuntime runtime, String scheme) {
        this.runtime = runtime;
        this.scheme = scheme;
    }

    /** Limits and timeouts come from the snapshot current at accept time, so a reload changes them for new connections. */
    @Override
    protected void initChannel(SocketChannel ch) {
        ListenConfig listen = runtime.snapshot().config().listen();
        Queue<HttpMethod> methods = new ArrayDeque<>(2);
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(listen.maxRequestLine())
                .setMaxHeaderSize(listen.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        HeaderDeadline deadline = new HeaderDeadline(listen.headerTimeout().toNanos());
        ch.pipeline().addLast(
                deadline,
                new IdleStateHandler(0, 0, listen.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                new CombinedChannelDuplexHandler<>(new RequestDecoder(decoder, methods), new ResponseEncoder(methods)),
                new FlowControlHandler(),
                new DownstreamHandler(runtime, deadline, scheme));
    }
}
