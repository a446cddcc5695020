package io.hecate.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.List;
import java.util.Queue;

/**
 * Netty's request decoder, made strict where a proxy must be: it rejects obs-fold (a header line
 * continued on the next line), which Netty would silently join. Two parsers that disagree on where
 * a header ends are how requests get smuggled past a proxy. Also records each request's method
 * for the {@link ResponseEncoder}.
 */
final class RequestDecoder extends HttpRequestDecoder {

    private final Queue<HttpMethod> methods;
    private boolean inHead = true;
    private boolean afterLineFeed;
    private boolean foldSeen;

    RequestDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
        super(config);
        this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        int from = buffer.readerIndex();
        int produced = out.size();
        boolean scanning = inHead;
        super.decode(ctx, buffer, out);
        if (scanning) {
            scanForFold(buffer, from, buffer.readerIndex());
        }
        for (int i = produced; i < out.size(); i++) {
            Object message = out.get(i);
            if (message instanceof HttpRequest request) {
                methods.add(request.method());
                if (foldSeen && request.decoderResult().isSuccess()) {
                    request.setDecoderResult(DecoderResult.failure(
                            new IllegalArgumentException("obsolete line folding in a header is not allowed")));
                }
                inHead = false;
                foldSeen = false;
                afterLineFeed = false;
            }
            if (message instanceof LastHttpContent) {
                inHead = true;
            }
        }
    }

    /** The decoder consumes the head in whole lines, so consumed ranges are contiguous and disjoint. */
    private void scanForFold(ByteBuf buffer, int from, int to) {
        for (int i = from; i < to && !foldSeen; i++) {
            byte b = buffer.getByte(i);
            if (afterLineFeed && (b == ' ' || b == '\t')) {
                foldSeen = true;
            }
            afterLineFeed = b == '\n';
        }
    }
}
