package io.hecate.tls;

import io.hecate.core.tls.HttpChallengeResponder;
import io.hecate.tls.internal.AtomicFiles;
import io.hecate.tls.internal.Http01Tokens;
import io.hecate.tls.internal.PemFiles;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Orders a certificate from an ACME server with acme4j and serves it through {@link HecateTls}.
 * Challenges: HTTP-01, answered by Hecate's listeners before routing (register
 * {@link #httpChallenges()} with {@code Hecate.Builder.httpChallenges}). Keys: ECDSA P-256 for the
 * account and the certificate.
 *
 * <p>Every ACME call runs on this object's own thread ({@code hecate-acme}), never on an event
 * loop. The account key, the certificate chain and its key are stored under
 * {@link AcmeSettings#storage()} by temp file and rename, readable by the owner only; a stored
 * certificate is served at start without asking the server.
 *
 * <p>Not yet here (issue 4): scheduled renewal (a third of the lifetime left, ARI, jitter,
 * backoff), TLS-ALPN-01, DNS-01, external account binding and a pluggable store.
 */
public final class AcmeCertificates implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeCertificates.class);
    private static final String CURVE = "secp256r1";

    private final AcmeSettings settings;
    private final HecateTls tls;
    private final Http01Tokens tokens = new Http01Tokens();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "hecate-acme");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String lastError;

    static {
        // acme4j reads and writes keys and builds CSRs through BouncyCastle's JCA provider; added
        // last, so the JDK's providers keep serving everything else.
        if (java.security.Security.getProvider("BC") == null) {
            java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        }
    }

    public AcmeCertificates(AcmeSettings settings, HecateTls tls) {
        if (settings.domains().isEmpty()) {
            throw new IllegalArgumentException("ACME needs at least one domain");
        }
        this.settings = settings;
        this.tls = tls;
    }

    /** Answers HTTP-01 challenges while an order is being validated. */
    public HttpChallengeResponder httpChallenges() {
        return tokens;
    }

    /** The last failure ordering, or {@code null} after a success. */
    public String lastError() {
        return lastError;
    }

    private Path certificateDir() {
        return settings.storage().resolve("certificates").resolve(settings.domains().get(0));
    }

    /**
     * Serves the stored certificate if there is one.
     *
     * @return whether one was found and installed
     */
    public boolean loadStored() throws IOException, GeneralSecurityException {
        Path chain = certificateDir().resolve("fullchain.pem");
        Path key = certificateDir().resolve("privkey.pem");
        if (!Files.exists(chain) || !Files.exists(key)) {
            return false;
        }
        tls.install("acme:" + settings.domains().get(0), PemFiles.privateKey(key), PemFiles.chain(chain),
                "acme " + settings.directory());
        return true;
    }

    /** Orders a certificate now, on the ACME thread; completes when it is served (or failed). */
    public CompletableFuture<X509Certificate> obtain() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                X509Certificate leaf = order();
                lastError = null;
                return leaf;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                lastError = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.error("ACME: ordering {} from {} failed: {}", settings.domains(), settings.directory(), lastError);
                throw new java.util.concurrent.CompletionException(e);
            }
        }, worker);
    }

    private X509Certificate order() throws Exception {
        if (!settings.agreeToTerms()) {
            throw new AcmeException("the ACME server's terms of service must be accepted (agree_to_terms: true)");
        }
        Session session = new Session(settings.directory(), new Provider(sslContext()));
        AccountBuilder account = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey());
        if (settings.email() != null) {
            account.addEmail(settings.email());
        }
        Login login = account.createLogin(session);
        Order order = login.newOrder().domains(settings.domains()).create();
        for (Authorization authorization : order.getAuthorizations()) {
            if (authorization.getStatus() == Status.VALID) {
                continue;
            }
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class)
                    .orElseThrow(() -> new AcmeException("the server offers no HTTP-01 challenge for "
                            + authorization.getIdentifier().getDomain()));
            tokens.add(challenge.getToken(), challenge.getAuthorization());
            try {
                challenge.trigger();
                Status status = authorization.waitForCompletion(settings.challengeTimeout());
                if (status != Status.VALID) {
                    throw new AcmeException("HTTP-01 for " + authorization.getIdentifier().getDomain() + " ended "
                            + status + challenge.getError().map(p -> ": " + p).orElse(""));
                }
            } finally {
                tokens.remove(challenge.getToken());
            }
        }
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec(CURVE));
        KeyPair domainKey = generator.generateKeyPair();
        order.execute(domainKey);
        Status status = order.waitForCompletion(settings.challengeTimeout());
        if (status != Status.VALID) {
            throw new AcmeException("order for " + settings.domains() + " ended " + status
                    + order.getError().map(p -> ": " + p).orElse(""));
        }
        List<X509Certificate> chain = order.getCertificate().getCertificateChain();
        store(domainKey, chain);
        tls.install("acme:" + settings.domains().get(0), domainKey.getPrivate(), chain, "acme " + settings.directory());
        return chain.get(0);
    }

    private KeyPair accountKey() throws IOException {
        Path file = settings.storage().resolve("account.key");
        if (Files.exists(file)) {
            try (StringReader reader = new StringReader(Files.readString(file))) {
                return KeyPairUtils.readKeyPair(reader);
            }
        }
        KeyPair key = KeyPairUtils.createECKeyPair(CURVE);
        StringWriter pem = new StringWriter();
        KeyPairUtils.writeKeyPair(key, pem);
        AtomicFiles.write(file, pem.toString());
        return key;
    }

    private void store(KeyPair key, List<X509Certificate> chain) throws IOException, CertificateEncodingException {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : chain) {
            pem.append(pem("CERTIFICATE", certificate.getEncoded()));
        }
        // The key first: a chain on disk always has its key.
        AtomicFiles.write(certificateDir().resolve("privkey.pem"), pem("PRIVATE KEY", key.getPrivate().getEncoded()));
        AtomicFiles.write(certificateDir().resolve("fullchain.pem"), pem.toString());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The JDK's trust, or only {@link AcmeSettings#trustedRoots()} when some are given (a test server). */
    private SSLContext sslContext() throws GeneralSecurityException, IOException {
        if (settings.trustedRoots().isEmpty()) {
            return SSLContext.getDefault();
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < settings.trustedRoots().size(); i++) {
            store.setCertificateEntry("root-" + i, settings.trustedRoots().get(i));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** acme4j's generic provider with Hecate's choice of trust for the server's HTTPS. */
    private static final class Provider extends GenericAcmeProvider {
        private final SSLContext ssl;

        Provider(SSLContext ssl) {
            this.ssl = ssl;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            return new HttpConnector(settings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    return super.createClientBuilder().sslContext(ssl);
                }
            };
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
