package io.hecate.tls;

import io.hecate.core.tls.HttpChallengeResponder;
import io.hecate.tls.internal.Http01Tokens;
import io.hecate.tls.internal.PemFiles;
import io.hecate.tls.internal.RenewalAdvice;
import io.hecate.tls.internal.RenewalInfoLookup;
import io.hecate.tls.internal.RenewalInfoSchedule;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.connector.Resource;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Orders a certificate from an ACME server with acme4j and serves it through {@link HecateTls}.
 * Challenges: HTTP-01, answered by Hecate's listeners before routing (register
 * {@link #httpChallenges()} with {@code Hecate.Builder.httpChallenges}). Keys: ECDSA P-256 for the
 * account and the certificate.
 *
 * <p>Every ACME call runs on this object's own thread ({@code hecate-acme}), never on an event
 * loop. The account key, the certificate chain and its key are kept in a {@link CertificateStore}
 * (by default files under {@link AcmeSettings#storage()}, readable by the owner only; shared by a
 * cluster store); a stored certificate is served at start without asking the server.
 *
 * <p>When the server offers ACME Renewal Information (ARI, RFC 9773), it decides when to renew:
 * see {@link #start()}.
 */
public final class AcmeCertificates implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AcmeCertificates.class);
    private static final String CURVE = "secp256r1";

    private final AcmeSettings settings;
    private final HecateTls tls;
    private volatile DnsProvider dns;
    private final CertificateStore store;
    private final Http01Tokens tokens = new Http01Tokens();
    /** First retry after a failure; doubled at each further failure up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofMinutes(1);
    static final Duration MAX_BACKOFF = Duration.ofHours(6);

    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "hecate-acme");
        thread.setDaemon(true);
        return thread;
    });
    private final Clock clock;
    private final java.util.Random random;
    private volatile String lastError;
    private volatile X509Certificate servedLeaf;
    private volatile Instant renewAt;
    private volatile Instant nextAttempt;
    private int failures;
    private ScheduledFuture<?> scheduled;
    private final RenewalInfoSchedule renewalInfo = new RenewalInfoSchedule();

    static {
        // acme4j reads and writes keys and builds CSRs through BouncyCastle's JCA provider; added
        // last, so the JDK's providers keep serving everything else.
        if (java.security.Security.getProvider("BC") == null) {
            java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        }
    }

    public AcmeCertificates(AcmeSettings settings, HecateTls tls) {
        this(settings, tls, Clock.systemUTC());
    }

    /** @param clock decides when a certificate is due for renewal (tests move it forward) */
    public AcmeCertificates(AcmeSettings settings, HecateTls tls, Clock clock) {
        this(settings, tls, clock, new FileCertificateStore(settings.storage()));
    }

    /** @param store where the account key and certificates are kept (a cluster store orders once for all nodes) */
    public AcmeCertificates(AcmeSettings settings, HecateTls tls, Clock clock, CertificateStore store) {
        this(settings, tls, clock, store, new java.util.Random());
    }

    /** @param random draws the jitter of renewal times and backoffs (tests fix it) */
    AcmeCertificates(AcmeSettings settings, HecateTls tls, Clock clock, CertificateStore store,
                     java.util.Random random) {
        if (settings.domains().isEmpty()) {
            throw new IllegalArgumentException("ACME needs at least one domain");
        }
        this.settings = settings;
        this.tls = tls;
        this.clock = clock;
        this.store = store;
        this.random = random;
    }

    private String id() {
        return "acme:" + settings.domains().get(0);
    }

    private String source() {
        return "acme " + settings.directory();
    }

    /**
     * Serves the stored certificate if there is one, then keeps it renewed: ordered when missing,
     * renewed when a third of its lifetime is left (less a random part of a tenth of that third,
     * so that many names do not renew at once), retried after a failure with exponential backoff
     * (1 min doubling up to 6 h, or later when the server said {@code Retry-After}). While renewal
     * fails, the certificate that still works keeps being served.
     *
     * <p>When the server's directory has {@code renewalInfo} (ARI), each new or loaded certificate's
     * suggested renewal window is fetched and renewal happens at a random time inside it (at once
     * when it has begun) instead; the window is fetched again when the server's {@code Retry-After}
     * says, else every 6 hours (kept between 1 minute and a day), so a window the CA moves earlier
     * (a mass revocation) is followed. A failed fetch keeps the schedule as it was and is retried
     * like a failed order.
     */
    public void start() {
        worker.execute(() -> {
            try {
                loadStored();
            } catch (IOException | GeneralSecurityException e) {
                LOG.error("ACME: the stored certificate for {} cannot be read, ordering a new one: {}",
                        settings.domains(), e.toString());
            }
            check();
        });
    }

    /** Renews now if due by the clock (or missing); completes when done. For tests and operators. */
    public CompletableFuture<Void> renewIfDue() {
        return CompletableFuture.runAsync(this::check, worker);
    }

    /** When the served certificate is due for renewal, or {@code null} before there is one. */
    public Instant renewAt() {
        return renewAt;
    }

    /** The next attempt after a failure, or {@code null}. */
    public Instant nextAttempt() {
        return nextAttempt;
    }

    /** When the server's renewal information (ARI) is fetched next, or {@code null}. For tests, which move the clock there. */
    Instant renewalInfoNextFetch() {
        return renewalInfo.nextFetch();
    }

    /** On the ACME thread: asks ARI when due, orders when missing or due, then schedules the next check. */
    private void check() {
        Instant now = clock.instant();
        if (renewalInfo.due(now)) {
            fetchRenewalInfo(now);
            // Woken to ask while orders fail: a window that says "now" must not skip their backoff (RFC 9773 §4.2).
            if (nextAttempt != null && now.isBefore(nextAttempt)) {
                schedule(nextAttempt);
                report();
                return;
            }
        }
        if (renewAt != null && now.isBefore(renewAt)) {
            schedule(renewAt);
            report();
            return;
        }
        try {
            order();
            failures = 0;
            lastError = null;
            nextAttempt = null;
            // A certificate due as soon as issued (clock skew, very short lifetimes) must not loop.
            Instant after = clock.instant().plus(FIRST_BACKOFF);
            schedule(renewAt.isAfter(after) ? renewAt : after);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            failures++;
            lastError = describe(e);
            Instant next = now.plus(backoff(failures));
            if (e instanceof org.shredzone.acme4j.exception.AcmeRateLimitedException limited
                    && limited.getRetryAfter().isPresent() && limited.getRetryAfter().get().isAfter(next)) {
                next = limited.getRetryAfter().get();
            }
            nextAttempt = next;
            LOG.error("ACME: ordering {} from {} failed ({} in a row), still serving the current certificate;"
                    + " next attempt at {}: {}", settings.domains(), settings.directory(), failures, next, lastError);
            schedule(next);
        }
        report();
    }

    /** 1 min doubling up to 6 h, plus up to a tenth more so that failed names do not retry in step. */
    private Duration backoff(int failuresInARow) {
        Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(failuresInARow - 1, 20));
        if (backoff.compareTo(MAX_BACKOFF) > 0) {
            backoff = MAX_BACKOFF;
        }
        return backoff.plusMillis((long) (random.nextDouble() * backoff.toMillis() / 10));
    }

    /** Asks the server about the served certificate's renewal (ARI), moving {@link #renewAt} to what it suggests. */
    private void fetchRenewalInfo(Instant now) {
        try {
            Session session = session();
            if (session.resourceUrlOptional(Resource.RENEWAL_INFO).isEmpty()) {
                renewalInfo.notOffered();
                return;
            }
            renewalInfo.offered();
            RenewalAdvice before = renewalInfo.advice();
            RenewalAdvice advice = RenewalInfoLookup.fetch(session, servedLeaf, now);
            renewAt = renewalInfo.answered(advice, now);
            if (before == null || !before.windowStart().equals(advice.windowStart())
                    || !before.windowEnd().equals(advice.windowEnd())) {
                LOG.info("ACME: the server suggests renewing {} between {} and {}{}; renewing at {}", settings.domains(),
                        advice.windowStart(), advice.windowEnd(),
                        advice.explanation() == null ? "" : " (" + advice.explanation() + ")", renewAt);
            }
        } catch (Exception e) {
            String error = describe(e);
            Instant next = renewalInfo.failed(error, failuresInARow -> now.plus(backoff(failuresInARow)));
            // Until the directory has been read, it is not known whether the server offers ARI at all.
            LOG.warn("ACME: cannot {} for {} from {}, renewing at {} as planned; next attempt at {}: {}",
                    renewalInfo.isOffered() ? "fetch the renewal information (ARI)"
                            : "read the directory to see whether it offers renewal information (ARI)",
                    settings.domains(), settings.directory(), renewAt, next, error);
        }
    }

    /** The exception's message and its causes' ("Network error: ... Connection refused"). */
    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (!text.toString().contains(message)) {
                text.append(": ").append(message);
            }
        }
        return text.toString();
    }

    private void report() {
        tls.report(id(), settings.domains(), source(), nextAttempt != null ? nextAttempt : renewAt, lastError,
                renewalInfoStatus());
    }

    private HecateTls.RenewalInfoStatus renewalInfoStatus() {
        if (!renewalInfo.isOffered()) {
            return null;
        }
        RenewalAdvice advice = renewalInfo.advice();
        return new HecateTls.RenewalInfoStatus(advice != null, advice == null ? null : advice.windowStart(),
                advice == null ? null : advice.windowEnd(),
                advice == null || advice.explanation() == null ? null : advice.explanation().toString(),
                renewalInfo.nextFetch(), renewalInfo.fetchError());
    }

    /** The next check at {@code at}, or sooner when ARI is to be asked before. */
    private void schedule(Instant at) {
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        Instant fetch = renewalInfo.nextFetch();
        if (fetch != null && fetch.isBefore(at)) {
            at = fetch;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
        scheduled = worker.schedule(this::check, delay, TimeUnit.MILLISECONDS);
    }

    /** Two thirds into the lifetime, less up to a tenth of the last third. */
    private Instant renewalTime(X509Certificate leaf) {
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Duration third = Duration.between(notBefore, notAfter).dividedBy(3);
        long jitter = (long) (random.nextDouble() * third.toMillis() / 10);
        return notAfter.minus(third).minusMillis(jitter);
    }

    /**
     * Proves names by DNS-01 through {@code provider} instead of HTTP-01 (needed for wildcard
     * names such as {@code *.example.com}).
     */
    public AcmeCertificates withDns(DnsProvider provider) {
        this.dns = provider;
        return this;
    }

    private volatile boolean tlsAlpn;

    /**
     * Proves names by TLS-ALPN-01 on Hecate's HTTPS listener (port 443) instead of HTTP-01, for
     * sites without port 80.
     */
    public AcmeCertificates withTlsAlpn() {
        this.tlsAlpn = true;
        return this;
    }

    private volatile String eabKeyId;
    private volatile String eabHmacKey;

    /**
     * Binds the new ACME account to an account the operator has with the CA (external account
     * binding, RFC 8555 §7.3.4), as ZeroSSL, Google and many private CAs require.
     *
     * @param keyId   the key identifier the CA gave
     * @param hmacKey the MAC key the CA gave, base64url-encoded
     */
    public AcmeCertificates withExternalAccount(String keyId, String hmacKey) {
        this.eabKeyId = keyId;
        this.eabHmacKey = hmacKey;
        return this;
    }

    /** Answers HTTP-01 challenges while an order is being validated. */
    public HttpChallengeResponder httpChallenges() {
        return tokens;
    }

    /** The last failure ordering, or {@code null} after a success. */
    public String lastError() {
        return lastError;
    }

    private String certificateKey(String file) {
        return "certificates/" + settings.domains().get(0) + "/" + file;
    }

    /**
     * Serves the stored certificate if there is one and it is newer than the one served.
     *
     * @return whether one was found and installed
     */
    public boolean loadStored() throws IOException, GeneralSecurityException {
        String chainPem = store.read(certificateKey("fullchain.pem"));
        String keyPem = store.read(certificateKey("privkey.pem"));
        if (chainPem == null || keyPem == null) {
            return false;
        }
        List<X509Certificate> certificates = PemFiles.chain(chainPem, certificateKey("fullchain.pem"));
        io.hecate.tls.internal.LoadedCertificate served = tls.managed(id());
        if (served != null && !certificates.get(0).getNotAfter().toInstant().isAfter(served.notAfter())) {
            return false;
        }
        tls.install(id(), PemFiles.privateKey(keyPem, certificateKey("privkey.pem")), certificates, source());
        serving(certificates.get(0));
        report();
        return true;
    }

    /** A new certificate is served: renewed a third of its lifetime before expiry, unless ARI (asked next) says otherwise. */
    private void serving(X509Certificate leaf) {
        servedLeaf = leaf;
        renewAt = renewalTime(leaf);
        renewalInfo.certificateChanged(leaf.getNotAfter().toInstant(), clock.instant());
    }

    /** Orders a certificate now, on the ACME thread, whether due or not; completes when it is served (or failed). */
    public CompletableFuture<X509Certificate> obtain() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                X509Certificate leaf = order();
                lastError = null;
                failures = 0;
                nextAttempt = null;
                report();
                return leaf;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                lastError = describe(e);
                report();
                LOG.error("ACME: ordering {} from {} failed: {}", settings.domains(), settings.directory(), lastError);
                throw new java.util.concurrent.CompletionException(e);
            }
        }, worker);
    }

    private X509Certificate order() throws Exception {
        try (CertificateStore.Lock lock = store.lock(settings.domains().get(0))) {
            // Another node sharing the store may have renewed while we waited for the lock.
            if (loadStored() && renewAt != null && clock.instant().isBefore(renewAt)) {
                LOG.info("ACME: {} was renewed by another node, serving it", settings.domains());
                return servedLeaf;
            }
            return orderLocked();
        }
    }

    private X509Certificate orderLocked() throws Exception {
        if (!settings.agreeToTerms()) {
            throw new AcmeException("the ACME server's terms of service must be accepted (agree_to_terms: true)");
        }
        Session session = session();
        AccountBuilder account = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey());
        if (settings.email() != null) {
            account.addEmail(settings.email());
        }
        if (eabKeyId != null) {
            account.withKeyIdentifier(eabKeyId, eabHmacKey);
        }
        Login login = account.createLogin(session);
        OrderBuilder newOrder = login.newOrder().domains(settings.domains());
        // RFC 9773 §5: tells the CA which certificate this one replaces. Only when this server has
        // answered about it: a server without ARI cannot take the field, and a certificate from
        // another CA (the directory was changed) is not this server's to replace.
        if (servedLeaf != null && renewalInfo.advice() != null) {
            newOrder.replaces(servedLeaf);
        }
        Order order = newOrder.create();
        for (Authorization authorization : order.getAuthorizations()) {
            if (authorization.getStatus() == Status.VALID) {
                continue;
            }
            if (dns != null) {
                proveByDns(authorization);
                continue;
            }
            if (tlsAlpn) {
                proveByTlsAlpn(authorization);
                continue;
            }
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class)
                    .orElseThrow(() -> new AcmeException("the server offers no HTTP-01 challenge for "
                            + authorization.getIdentifier().getDomain()
                            + (authorization.isWildcard() ? " (a wildcard: configure a DNS provider for DNS-01)" : "")));
            tokens.add(challenge.getToken(), challenge.getAuthorization());
            try {
                challenge.trigger();
                Status status = authorization.waitForCompletion(settings.challengeTimeout());
                if (status != Status.VALID) {
                    throw new AcmeException("HTTP-01 for " + authorization.getIdentifier().getDomain() + " ended "
                            + status + problemOf(challenge));
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
        tls.install(id(), domainKey.getPrivate(), chain, source());
        serving(chain.get(0));
        return chain.get(0);
    }

    /** The server's reason a challenge failed (": ..."), fetched fresh; empty when it gives none. */
    private static String problemOf(org.shredzone.acme4j.challenge.Challenge challenge) {
        try {
            challenge.fetch();
        } catch (AcmeException e) {
            return ": (" + e.getMessage() + ")";
        }
        return challenge.getError().map(p -> ": " + p.getDetail().orElse(p.toString())).orElse("");
    }

    /** TLS-ALPN-01: a self-signed certificate with the acmeIdentifier extension, served for acme-tls/1 only. */
    private void proveByTlsAlpn(Authorization authorization) throws Exception {
        org.shredzone.acme4j.challenge.TlsAlpn01Challenge challenge = authorization
                .findChallenge(org.shredzone.acme4j.challenge.TlsAlpn01Challenge.class)
                .orElseThrow(() -> new AcmeException("the server offers no TLS-ALPN-01 challenge for "
                        + authorization.getIdentifier().getDomain()));
        String name = authorization.getIdentifier().getDomain();
        // acme4j signs the challenge certificate with SHA256withRSA: an RSA key, used for this validation only.
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair key = generator.generateKeyPair();
        tls.addAlpnChallenge(name, key.getPrivate(), challenge.createCertificate(key, authorization.getIdentifier()));
        try {
            challenge.trigger();
            Status status = authorization.waitForCompletion(settings.challengeTimeout());
            if (status != Status.VALID) {
                throw new AcmeException("TLS-ALPN-01 for " + name + " ended " + status
                        + challenge.getError().map(p -> ": " + p).orElse(""));
            }
        } finally {
            tls.removeAlpnChallenge(name);
        }
    }

    /** DNS-01: the TXT record set through the provider, validated, then removed. */
    private void proveByDns(Authorization authorization) throws Exception {
        org.shredzone.acme4j.challenge.Dns01Challenge challenge = authorization
                .findChallenge(org.shredzone.acme4j.challenge.Dns01Challenge.class)
                .orElseThrow(() -> new AcmeException("the server offers no DNS-01 challenge for "
                        + authorization.getIdentifier().getDomain()));
        String record = org.shredzone.acme4j.challenge.Dns01Challenge.toRRName(authorization.getIdentifier());
        dns.setTxt(record, challenge.getDigest());
        try {
            Duration delay = dns.propagationDelay();
            if (!delay.isZero()) {
                Thread.sleep(delay.toMillis());
            }
            challenge.trigger();
            Status status = authorization.waitForCompletion(settings.challengeTimeout());
            if (status != Status.VALID) {
                throw new AcmeException("DNS-01 for " + authorization.getIdentifier().getDomain() + " ended "
                        + status + problemOf(challenge));
            }
        } finally {
            try {
                dns.clearTxt(record);
            } catch (Exception e) {
                LOG.warn("ACME: could not remove the TXT record {}: {}", record, e.toString());
            }
        }
    }

    private KeyPair accountKey() throws IOException {
        String stored = store.read("account.key");
        if (stored != null) {
            try (StringReader reader = new StringReader(stored)) {
                return KeyPairUtils.readKeyPair(reader);
            }
        }
        KeyPair key = KeyPairUtils.createECKeyPair(CURVE);
        StringWriter pem = new StringWriter();
        KeyPairUtils.writeKeyPair(key, pem);
        store.write("account.key", pem.toString());
        return key;
    }

    private void store(KeyPair key, List<X509Certificate> chain) throws IOException, CertificateEncodingException {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : chain) {
            pem.append(pem("CERTIFICATE", certificate.getEncoded()));
        }
        // The key first: a chain on disk always has its key.
        store.write(certificateKey("privkey.pem"), pem("PRIVATE KEY", key.getPrivate().getEncoded()));
        store.write(certificateKey("fullchain.pem"), pem.toString());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private Session session() throws GeneralSecurityException, IOException {
        return new Session(settings.directory(), new Provider(sslContext()));
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
