package io.hecate.core.internal.server;

import io.hecate.core.tls.TlsContextProvider;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

import javax.net.ssl.SSLException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the ClientHello of an HTTPS connection (Netty's {@link SslClientHelloHandler} gathers
 * it), takes the SNI name and the ALPN protocols from it, asks the {@link TlsContextProvider} for
 * the context (from memory, on the event loop) and replaces itself with that context's
 * {@link SslHandler}. Like Netty's {@code SniHandler}, which only knows the name: the ALPN list lets
 * a provider answer ACME TLS-ALPN-01 validations ({@code acme-tls/1}) without disturbing other
 * clients. A provider that answers {@code null} refuses the connection.
 */
final class ClientHelloRouter extends SslClientHelloHandler<SslContext> {

    private static final int SERVER_NAME = 0;
    private static final int ALPN = 16;

    private final TlsContextProvider provider;
    private final long handshakeTimeoutMillis;
    /** The SNI name of this connection's ClientHello, for {@link TlsContextProvider#prepare}. */
    private String serverName;

    ClientHelloRouter(TlsContextProvider provider, int maxClientHelloLength, long handshakeTimeoutMillis) {
        super(maxClientHelloLength);
        this.provider = provider;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /** What the router takes from a ClientHello. */
    record Hello(String serverName, List<String> protocols) {
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
        Hello hello = clientHello == null ? new Hello(null, List.of()) : parse(clientHello);
        serverName = hello.serverName();
        SslContext context;
        try {
            context = provider.contextFor(hello.serverName(), hello.protocols());
        } catch (RuntimeException e) {
            return ctx.executor().newFailedFuture(e);
        }
        if (context == null) {
            return ctx.executor().newFailedFuture(new SSLException("no certificate for server name "
                    + (hello.serverName() == null ? "(none sent)" : '"' + hello.serverName() + '"')));
        }
        return ctx.executor().newSucceededFuture(context);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, Future<SslContext> future) {
        if (!future.isSuccess()) {
            ctx.fireExceptionCaught(future.cause());
            ctx.close();
            return;
        }
        SslContext context = future.getNow();
        SslHandler ssl = context.newHandler(ctx.alloc());
        try {
            provider.prepare(ssl.engine(), context, serverName);
            ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
            ctx.pipeline().replace(this, SslHandler.class.getName(), ssl);
            ssl = null;
        } catch (RuntimeException e) {
            ctx.fireExceptionCaught(e);
            ctx.close();
        } finally {
            // Until the pipeline holds the handler, its (reference-counted, native) engine is ours to free.
            if (ssl != null) {
                ReferenceCountUtil.safeRelease(ssl.engine());
            }
        }
    }

    /**
     * The SNI host name (lower case) and the ALPN protocols of a ClientHello body (from its version
     * field on, as {@link SslClientHelloHandler} hands it over); what cannot be read is left out.
     */
    static Hello parse(ByteBuf hello) {
        String name = null;
        List<String> protocols = new ArrayList<>(2);
        int end = hello.writerIndex();
        int offset = hello.readerIndex() + 34; // version (2) and random (32)
        try {
            offset += 1 + hello.getUnsignedByte(offset);        // session id
            offset += 2 + hello.getUnsignedShort(offset);       // cipher suites
            offset += 1 + hello.getUnsignedByte(offset);        // compression methods
            int extensionsEnd = Math.min(end, offset + 2 + hello.getUnsignedShort(offset));
            offset += 2;
            while (offset + 4 <= extensionsEnd) {
                int type = hello.getUnsignedShort(offset);
                int length = hello.getUnsignedShort(offset + 2);
                int data = offset + 4;
                if (data + length > extensionsEnd) {
                    break;
                }
                if (type == SERVER_NAME && length >= 5) {
                    // list length (2), then entries: type (1), length (2), name
                    int entry = data + 2;
                    while (entry + 3 <= data + length) {
                        int nameType = hello.getUnsignedByte(entry);
                        int nameLength = hello.getUnsignedShort(entry + 1);
                        if (nameType == 0 && entry + 3 + nameLength <= data + length) {
                            name = hello.toString(entry + 3, nameLength, StandardCharsets.US_ASCII)
                                    .toLowerCase(Locale.ROOT);
                            break;
                        }
                        entry += 3 + nameLength;
                    }
                } else if (type == ALPN && length >= 2) {
                    // list length (2), then entries: length (1), protocol
                    int entry = data + 2;
                    while (entry < data + length) {
                        int protocolLength = hello.getUnsignedByte(entry);
                        if (entry + 1 + protocolLength > data + length) {
                            break;
                        }
                        protocols.add(hello.toString(entry + 1, protocolLength, StandardCharsets.US_ASCII));
                        entry += 1 + protocolLength;
                    }
                }
                offset = data + length;
            }
        } catch (IndexOutOfBoundsException e) {
            // a truncated hello: keep what was read
        }
        // RFC 6066 forbids IP literals as server names, yet some clients (wrk, older OpenSSL tools)
        // send one when asked for an address: treat it as no name, so the default certificate answers.
        if (name != null && (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name))) {
            name = null;
        }
        return new Hello(name, List.copyOf(protocols));
    }
}
