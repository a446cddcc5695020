package io.hecate.core.tls;

import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SSLEngine;

/**
 * Supplies the server TLS context for an incoming handshake (proxy-tls implements it with static
 * and ACME certificates). Called on the event loop during the handshake: it must answer from
 * memory, never block.
 */
@FunctionalInterface
public interface TlsContextProvider {

    /**
     * @param serverName the SNI host name the client sent, or {@code null} when it sent none
     * @return the context to handshake with, or {@code null} to refuse the connection
     */
    SslContext contextFor(String serverName);

    /**
     * Like {@link #contextFor(String)}, also knowing the protocols the client offered by ALPN, so
     * that a provider can answer an ACME TLS-ALPN-01 validation ({@code acme-tls/1}) with the
     * challenge certificate while ordinary clients keep getting the real one.
     *
     * @param applicationProtocols the ALPN protocols of the ClientHello, in the client's order; empty when none
     */
    default SslContext contextFor(String serverName, java.util.List<String> applicationProtocols) {
        return contextFor(serverName);
    }

    /**
     * Called with the engine of each handshake, after it is created from the context this provider
     * chose and before it reads the ClientHello, so that the provider can set per-connection state
     * on it (proxy-tls sets the OCSP staple). Runs on the event loop: answer from memory. An
     * exception refuses the connection.
     *
     * @param context    what {@link #contextFor(String, java.util.List)} answered
     * @param serverName the SNI host name the client sent, or {@code null}
     */
    default void prepare(SSLEngine engine, SslContext context, String serverName) {
    }
}
