package io.hecate.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The SNI name and ALPN list read from real ClientHellos (made by the JDK's TLS client). */
class ClientHelloRouterTest {

    /** The ClientHello body (from its version field on), as {@code SslClientHelloHandler} hands it over. */
    private static ByteBuf clientHello(String sni, String... alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine("ignored", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        parameters.setApplicationProtocols(alpn);
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        ByteBuf record = Unpooled.wrappedBuffer(out);
        // record header (5), handshake type (1) and length (3)
        return record.slice(9, record.readableBytes() - 9);
    }

    @Test
    void readsTheServerNameInLowerCaseAndTheAlpnProtocolsInOrder() throws Exception {
        ClientHelloRouter.Hello hello = ClientHelloRouter.parse(clientHello("Shop.Example.COM", "h2", "http/1.1"));
        assertThat(hello.serverName()).isEqualTo("shop.example.com");
        assertThat(hello.protocols()).containsExactly("h2", "http/1.1");

        ClientHelloRouter.Hello acme = ClientHelloRouter.parse(clientHello("shop.example.com", "acme-tls/1"));
        assertThat(acme.protocols()).containsExactly("acme-tls/1");
    }

    @Test
    void withoutSniOrAlpnThereIsNoNameAndNoProtocol() throws Exception {
        ClientHelloRouter.Hello hello = ClientHelloRouter.parse(clientHello(null));
        assertThat(hello.serverName()).isNull();
        assertThat(hello.protocols()).isEmpty();
    }

    /** RFC 6066 forbids it, but wrk and other OpenSSL-based clients send an IP address as the name. */
    @Test
    void anIpAddressSentAsTheServerNameCountsAsNoName() throws Exception {
        assertThat(ClientHelloRouter.parse(clientHello("127.0.0.1", "http/1.1")).serverName()).isNull();
    }

    @Test
    void aTruncatedHelloGivesWhatCouldBeRead() throws Exception {
        ByteBuf full = clientHello("a.example.com", "h2");
        ClientHelloRouter.Hello cut = ClientHelloRouter.parse(full.slice(0, 40));
        assertThat(cut.serverName()).isNull();
        assertThat(cut.protocols()).isEmpty();
    }
}
