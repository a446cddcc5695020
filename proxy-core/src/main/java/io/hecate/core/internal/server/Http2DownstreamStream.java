package io.hecate.core.internal.server;

import io.hecate.core.internal.upstream.ConnectionPool;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One downstream HTTP/2 stream as the {@link Downstream} of its single {@link Exchange}.
 *
 * <p>Inbound: request parts arrive as the client sends them (bounded by the stream's window) and
 * wait here until the exchange asks for the next one; the bytes of a part are returned to the
 * client's window only when the exchange asks for the part after it, i.e. once it has passed the
 * previous one on, so a WINDOW_UPDATE means "consumed".
 *
 * <p>Outbound: HTTP/1.1 message objects become frames. A final response head is held until the
 * next write or flush: when that is an empty end (a body-less response, HEAD, 204, or a gRPC
 * trailers-only answer), both go out as one HEADERS frame with END_STREAM instead of HEADERS plus
 * an empty DATA frame, which gRPC clients reject. The empty body the HTTP/1.1 model gives an
 * interim (1xx) response is dropped. The write that ends the response is remembered, so the stream
 * is ended only after it is on its way (it may wait for the client's window).
 */
final class Http2DownstreamStream implements Downstream {

    private static final Logger LOG = LoggerFactory.getLogger(Http2DownstreamStream.class);

    private final Http2DownstreamConnection connection;
    private final Http2Stream stream;
    private final ChannelHandlerContext ctx;
    private final Http2ConnectionEncoder encoder;
    private Exchange exchange;
    /** The next request part waiting for the exchange, and those after it (most requests never have more than one). */
    private HttpContent next;
    private ArrayDeque<HttpContent> later;
    private boolean readRequested;
    private boolean delivering;
    private boolean requestEnded;
    /** Bytes handed to the exchange and not yet returned to the client's window. */
    private int uncredited;
    private ResponseDeadline responseDeadline;
    private HttpResponse heldHead;
    private boolean interim;
    private ChannelPromise endWritten;

    private Http2DownstreamStream(Http2DownstreamConnection connection, Http2Stream stream) {
        this.connection = connection;
        this.stream = stream;
        this.ctx = connection.context();
        this.encoder = connection.encoder();
    }

    /** A request head opened {@code stream}: its exchange starts at once. */
    static void start(Http2DownstreamConnection connection, Http2Stream stream, HttpRequest request,
                      boolean endOfStream) {
        Http2DownstreamStream served = new Http2DownstreamStream(connection, stream);
        connection.serve(stream, served);
        if (endOfStream) {
            served.requestEnded = true;
            served.next = LastHttpContent.EMPTY_LAST_CONTENT;
        }
        served.exchange = new Exchange(served, connection.runtime(), request, connection.scheme());
        try {
            served.exchange.start();
        } catch (RuntimeException e) {
            served.failed(e);
        }
    }

    /**
     * The exchange threw: as an HTTP/1.1 connection closes on an unexpected exception, the stream
     * is reset, and the other streams of the connection go on.
     */
    private void failed(RuntimeException e) {
        LOG.warn("downstream HTTP/2 stream {} of {} failed", stream.id(), ctx.channel().remoteAddress(), e);
        reset(Http2Error.INTERNAL_ERROR);
    }

    // ---- inbound --------------------------------------------------------------------------------

    /** Whether request parts still go to an exchange; after it, they are dropped as they arrive. */
    boolean reading() {
        return exchange != null;
    }

    /** The client ended its side of the stream (END_STREAM on DATA or trailers). */
    void requestEnded() {
        requestEnded = true;
    }

    void received(HttpContent part) {
        if (next == null) {
            next = part;
        } else {
            if (later == null) {
                later = new ArrayDeque<>(4);
            }
            later.add(part);
        }
        deliver();
    }

    private HttpContent poll() {
        HttpContent part = next;
        next = later == null ? null : later.poll();
        return part;
    }

    @Override
    public void requestRead() {
        readRequested = true;
        returnCredit();
        deliver();
    }

    /** One part per read asked for; the loop (not recursion) serves an exchange that asks again at once. */
    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (readRequested && exchange != null && next != null) {
                readRequested = false;
                HttpContent part = poll();
                uncredited += part.content().readableBytes();
                exchange.onRequestContent(part);
                if (exchange != null) {
                    exchange.onDownstreamReadComplete();
                }
            }
        } catch (RuntimeException e) {
            failed(e);
        } finally {
            delivering = false;
        }
    }

    private void returnCredit() {
        if (uncredited == 0 || stream.state() == Http2Stream.State.CLOSED) {
            return;
        }
        int bytes = uncredited;
        uncredited = 0;
        try {
            if (connection.decoder().flowController().consumeBytes(stream, bytes)) {
                connection.flushStreams();
            }
        } catch (Http2Exception e) {
            connection.onError(ctx, false, e);
        }
    }

    private void releaseInbound() {
        while (next != null) {
            ReferenceCountUtil.release(poll());
        }
    }

    // ---- outbound -------------------------------------------------------------------------------

    @Override
    public void write(Object message) {
        if (message instanceof FullHttpResponse full) {
            writeHeld();
            writeEnd(headers(full), full.content(), full.trailingHeaders());
        } else if (message instanceof HttpResponse head) {
            writeHeld();
            if (head.status().code() < 200) {
                interim = true;
                encoder.writeHeaders(ctx, stream.id(), headers(head), 0, false, ctx.newPromise());
            } else {
                heldHead = head;
            }
        } else if (message instanceof HttpContent part) {
            writeContent(part);
        } else {
            // Raw tunnel bytes: HTTP/2 requests cannot ask for a protocol switch, so none come here.
            ReferenceCountUtil.release(message);
        }
    }

    private void writeContent(HttpContent part) {
        boolean last = part instanceof LastHttpContent;
        if (interim) {
            interim = !last;
            part.release();
            return;
        }
        if (!last) {
            writeHeld();
            encoder.writeData(ctx, stream.id(), part.content(), 0, false, ctx.newPromise());
            return;
        }
        Http2Headers head = heldHead == null ? null : headers(heldHead);
        heldHead = null;
        writeEnd(head, part.content(), ((LastHttpContent) part).trailingHeaders());
    }

    /** The rest of the response: its head if not yet sent, the body if any, the trailers if any, ending the stream once. */
    private void writeEnd(Http2Headers head, ByteBuf body, HttpHeaders trailers) {
        boolean hasBody = body.isReadable();
        boolean hasTrailers = !trailers.isEmpty();
        int id = stream.id();
        if (head != null) {
            encoder.writeHeaders(ctx, id, head, 0, !hasBody && !hasTrailers,
                    !hasBody && !hasTrailers ? endPromise() : ctx.newPromise());
        }
        if (hasBody || (head == null && !hasTrailers)) {
            encoder.writeData(ctx, id, body, 0, !hasTrailers, hasTrailers ? ctx.newPromise() : endPromise());
        } else {
            body.release();
        }
        if (hasTrailers) {
            encoder.writeHeaders(ctx, id, HttpConversionUtil.toHttp2Headers(trailers, true), 0, true, endPromise());
        }
    }

    private ChannelPromise endPromise() {
        endWritten = ctx.newPromise();
        return endWritten;
    }

    private static Http2Headers headers(HttpResponse response) {
        return HttpConversionUtil.toHttp2Headers(response, true);
    }

    private void writeHeld() {
        if (heldHead != null) {
            HttpResponse head = heldHead;
            heldHead = null;
            encoder.writeHeaders(ctx, stream.id(), headers(head), 0, false, ctx.newPromise());
        }
    }

    @Override
    public void flush() {
        writeHeld();
        connection.flushStreams();
    }

    @Override
    public boolean isWritable() {
        return encoder.flowController().isWritable(stream);
    }

    void writabilityChanged() {
        if (exchange != null && isWritable()) {
            exchange.onDownstreamWritable();
        }
    }

    @Override
    public void close() {
        heldHead = null;
        reset(Http2Error.CANCEL);
    }

    private void reset(Http2Error error) {
        if (stream.state() != Http2Stream.State.CLOSED) {
            connection.resetStream(ctx, stream.id(), error.code(), ctx.newPromise());
            connection.flushStreams();
        }
    }

    // ---- the stream's end -----------------------------------------------------------------------

    /**
     * The exchange is over. Once the end of the response has been written (past HTTP/2 flow
     * control, which may hold it while the client's window is closed), a stream the client is still
     * sending on is reset with NO_ERROR (RFC 9113 8.1: a complete response may cut the request
     * short); a stream whose response never ended is reset with CANCEL; a stream ended by both
     * sides needs nothing (Netty closes it). Whether the client ended its side is what it sent, not
     * the stream's state alone: Netty updates that state only after its listeners on the same
     * frame or write.
     */
    @Override
    public void exchangeFinished(Exchange finished, boolean reusable) {
        if (exchange != finished) {
            return;
        }
        exchange = null;
        releaseInbound();
        flush();
        ChannelPromise written = endWritten;
        if (written == null || written.isDone()) {
            endStream();
        } else {
            written.addListener(f -> endStream());
        }
    }

    private void endStream() {
        Http2Stream.State state = stream.state();
        if (state == Http2Stream.State.CLOSED) {
            return;
        }
        boolean endSent = endWritten != null && endWritten.isSuccess();
        boolean clientDone = requestEnded || state == Http2Stream.State.HALF_CLOSED_REMOTE;
        if (!endSent) {
            reset(Http2Error.CANCEL);
        } else if (!clientDone) {
            reset(Http2Error.NO_ERROR);
        }
    }

    /**
     * The stream closed, by either side or with the connection. An exchange still running hears of
     * it in a task of its own: the close may come from inside one of the exchange's writes (a flush
     * that puts the response's last frame on the wire at once), and the exchange must first finish
     * what it was doing, which usually ends it normally.
     */
    void closed() {
        releaseInbound();
        heldHead = null;
        if (responseDeadline != null) {
            responseDeadline.cancel();
        }
        Exchange current = exchange;
        if (current != null) {
            ctx.executor().execute(() -> {
                if (exchange == current) {
                    exchange = null;
                    current.onDownstreamClosed();
                }
            });
        }
    }

    /** The connection's idle timeout passed: the stream goes unless its exchange waits for the upstream. */
    void idle() {
        if (exchange == null || !exchange.awaitingUpstream()) {
            close();
        }
    }

    // ---- the rest of Downstream -------------------------------------------------------------------

    @Override
    public Channel connection() {
        return ctx.channel();
    }

    @Override
    public String peerIp() {
        return connection.peerIp();
    }

    @Override
    public ConnectionPool pool() {
        return connection.pool();
    }

    @Override
    public ResponseDeadline responseDeadline() {
        if (responseDeadline == null) {
            responseDeadline = new ResponseDeadline(ctx.executor(), () -> exchange);
        }
        return responseDeadline;
    }

    @Override
    public void becomeTunnel(Duration idleTimeout) {
        throw new UnsupportedOperationException("an HTTP/2 stream does not switch protocols");
    }
}
