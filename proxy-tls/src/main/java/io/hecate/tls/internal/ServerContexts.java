package io.hecate.tls.internal;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the server {@link SslContext}s: BoringSSL (netty-tcnative) when it loaded, the JDK
 * otherwise; TLS 1.2 and 1.3 only; the modern AEAD suites with forward secrecy (Netty's
 * {@link Http2SecurityUtil#CIPHERS}, which is also what HTTP/2 requires); ALPN {@code h2} then
 * {@code http/1.1}. With BoringSSL the session ticket keys are Hecate's own and rotated (see
 * {@link #rotateTicketKeys}); the JDK rotates its own. With BoringSSL the contexts can staple OCSP
 * answers (see {@link #ocspStapling()}).
 */
public final class ServerContexts {

    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final int KEEP_TICKET_KEYS = 2;

    private final SslProvider provider;
    private final SecureRandom random = new SecureRandom();
    private volatile OpenSslSessionTicketKey[] ticketKeys = new OpenSslSessionTicketKey[0];

    private ServerContexts(SslProvider provider) {
        this.provider = provider;
    }

    /** BoringSSL when netty-tcnative loaded on this machine, else the JDK. */
    public static ServerContexts best() {
        ServerContexts contexts = new ServerContexts(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
        contexts.rotateTicketKeys();
        return contexts;
    }

    /** Forces the JDK provider (tests, or a machine where BoringSSL misbehaves). */
    public static ServerContexts jdk() {
        return new ServerContexts(SslProvider.JDK);
    }

    public SslProvider provider() {
        return provider;
    }

    /** Why BoringSSL is not used, or {@code null} when it is. */
    public String whyNotOpenSsl() {
        if (provider == SslProvider.OPENSSL) {
            return null;
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return cause == null ? "JDK chosen" : cause.toString();
    }

    /**
     * Whether the contexts built here can staple OCSP answers: BoringSSL takes the answer per engine,
     * from memory. The JDK's own stapling fetches answers while the handshake waits, which would
     * block an event loop, so it stays off.
     */
    public boolean ocspStapling() {
        return provider == SslProvider.OPENSSL && OpenSsl.isOcspSupported();
    }

    public String describe() {
        return provider == SslProvider.OPENSSL ? OpenSsl.versionString() : "JDK " + System.getProperty("java.version");
    }

    public SslContext build(PrivateKey key, List<X509Certificate> chain) throws SSLException {
        SslContext context = SslContextBuilder.forServer(key, chain)
                .sslProvider(provider)
                .enableOcsp(ocspStapling())
                .protocols(PROTOCOLS)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
        applyTicketKeys(context, ticketKeys);
        return context;
    }

    /** ALPN protocol of ACME TLS-ALPN-01 validations (RFC 8737). */
    public static final String ACME_TLS_1 = "acme-tls/1";

    /** The context that answers a TLS-ALPN-01 validation: the challenge certificate, ALPN {@code acme-tls/1} only. */
    public SslContext buildChallenge(PrivateKey key, X509Certificate certificate) throws SSLException {
        return SslContextBuilder.forServer(key, certificate)
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ACME_TLS_1))
                .build();
    }

    /**
     * Makes a new session ticket key the one that encrypts; the previous one still decrypts
     * tickets it issued, older ones are forgotten. Returns the keys now in use (empty with the JDK).
     */
    public OpenSslSessionTicketKey[] rotateTicketKeys() {
        if (provider != SslProvider.OPENSSL) {
            return ticketKeys;
        }
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        random.nextBytes(name);
        random.nextBytes(hmac);
        random.nextBytes(aes);
        List<OpenSslSessionTicketKey> keys = new ArrayList<>();
        keys.add(new OpenSslSessionTicketKey(name, hmac, aes));
        OpenSslSessionTicketKey[] old = ticketKeys;
        for (int i = 0; i < old.length && keys.size() < KEEP_TICKET_KEYS; i++) {
            keys.add(old[i]);
        }
        ticketKeys = keys.toArray(new OpenSslSessionTicketKey[0]);
        return ticketKeys;
    }

    /** Gives the current ticket keys to a context built earlier. */
    public void applyTicketKeys(SslContext context) {
        applyTicketKeys(context, ticketKeys);
    }

    private static void applyTicketKeys(SslContext context, OpenSslSessionTicketKey[] keys) {
        if (keys.length > 0 && context instanceof OpenSslContext openSsl) {
            OpenSslSessionContext sessions = openSsl.sessionContext();
            sessions.setTicketKeys(keys);
        }
    }
}
