package io.hecate.core.tls;

import io.netty.handler.ssl.SslContext;

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
}
