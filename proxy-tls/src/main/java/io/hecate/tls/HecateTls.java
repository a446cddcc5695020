package io.hecate.tls;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.tls.TlsContextProvider;
import io.hecate.tls.internal.CertificateIndex;
import io.hecate.tls.internal.LoadedCertificate;
import io.hecate.tls.internal.OcspClient;
import io.hecate.tls.internal.OcspStapler;
import io.hecate.tls.internal.OcspStatus;
import io.hecate.tls.internal.PemFiles;
import io.hecate.tls.internal.ServerContexts;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for Hecate's HTTPS listener: a {@link TlsContextProvider} over static PEM files,
 * reloaded when they change.
 *
 * <pre>{@code
 * HecateTls tls = HecateTls.start(TlsSettings.of(new TlsSettings.CertificateFiles(cert, key)));
 * Hecate proxy = Hecate.builder().config(config).tls(tls).metrics(tls::renderMetrics)
 *         .adminEndpoint("/certs", tls::certsJson).start();
 * }</pre>
 *
 * <p>Everything slow happens on its own thread ({@code hecate-tls}): reading and parsing the files,
 * building the contexts, rotating session ticket keys. The result is an immutable
 * {@link CertificateIndex} swapped in whole, so {@link #contextFor}, which runs on the event loop
 * during each handshake, only reads a volatile field and a hash map. A file that cannot be read or
 * does not hold a matching certificate and key is reported and the certificate loaded before it
 * keeps being served. With BoringSSL, certificates whose issuer runs an OCSP responder get its
 * answer stapled to handshakes (fetched on the same thread, see {@link OcspStapler}).
 */
public final class HecateTls implements TlsContextProvider, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HecateTls.class);

    private final TlsSettings settings;
    private final ServerContexts contexts;
    private final Clock clock;
    private final Slot[] slots;
    private final ScheduledExecutorService worker;
    private volatile CertificateIndex index = CertificateIndex.EMPTY;
    /** {@code null} when the provider cannot staple (the JDK). */
    private final OcspStapler ocsp;
    /** Certificates given in code (ACME), by id, served after the configured files. */
    private final java.util.Map<String, LoadedCertificate> managed = new java.util.concurrent.ConcurrentHashMap<>();

    /** One configured cert/key pair: what was last read from it and what is served. */
    private static final class Slot {
        final TlsSettings.CertificateFiles files;
        byte[] digest;
        volatile LoadedCertificate served;
        volatile String lastError;

        Slot(TlsSettings.CertificateFiles files) {
            this.files = files;
        }
    }

    private HecateTls(TlsSettings settings, ServerContexts contexts, Clock clock) {
        this.settings = settings;
        this.contexts = contexts;
        this.clock = clock;
        this.slots = settings.certificates().stream().map(Slot::new).toArray(Slot[]::new);
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "hecate-tls");
            thread.setDaemon(true);
            return thread;
        });
        this.ocsp = contexts.ocspStapling() ? new OcspStapler(worker, new OcspClient(), clock) : null;
    }

    /**
     * Loads every certificate (on the calling thread), then watches the files.
     *
     * @throws ConfigException when a certificate cannot be loaded: Hecate must not start without it
     */
    public static HecateTls start(TlsSettings settings) throws ConfigException {
        return start(settings, ServerContexts.best(), Clock.systemUTC());
    }

    /** With a chosen provider (see {@link ServerContexts#jdk()}) and clock. */
    public static HecateTls start(TlsSettings settings, ServerContexts contexts, Clock clock) throws ConfigException {
        HecateTls tls = new HecateTls(settings, contexts, clock);
        List<ConfigProblem> problems = new ArrayList<>();
        for (int i = 0; i < tls.slots.length; i++) {
            Slot slot = tls.slots[i];
            try {
                tls.load(slot);
            } catch (IOException | GeneralSecurityException e) {
                problems.add(new ConfigProblem(null, 0, "tls.certificates[" + i + "]", describe(e)));
            }
        }
        if (!problems.isEmpty()) {
            tls.worker.shutdownNow();
            throw new ConfigException(problems);
        }
        tls.publish();
        String why = contexts.whyNotOpenSsl();
        LOG.info("TLS: {} ({}), {} certificate(s) for {}, OCSP stapling {}",
                contexts.provider() == SslProvider.OPENSSL ? "BoringSSL" : "JDK provider",
                contexts.describe() + (why == null ? "" : "; BoringSSL unavailable: " + why),
                tls.slots.length, tls.index.certificates().stream().flatMap(c -> c.names().stream()).toList(),
                tls.ocsp != null ? "on" : "off");
        long watch = settings.watchInterval().toMillis();
        tls.worker.scheduleWithFixedDelay(tls::checkFiles, watch, watch, TimeUnit.MILLISECONDS);
        if (contexts.provider() == SslProvider.OPENSSL) {
            long rotation = settings.ticketKeyRotation().toMillis();
            tls.worker.scheduleAtFixedRate(tls::rotateTicketKeys, rotation, rotation, TimeUnit.MILLISECONDS);
        }
        return tls;
    }

    /** Answers from memory: called on the event loop for every handshake. */
    @Override
    public SslContext contextFor(String serverName) {
        return index.contextFor(serverName);
    }

    /** Staples the certificate's current OCSP answer, when there is a fresh good one. From memory: event loop. */
    @Override
    public void prepare(SSLEngine engine, SslContext context, String serverName) {
        byte[] staple = ocsp == null ? null : ocsp.stapleFor(context);
        // Only contexts built with OCSP enabled have answers; TLS-ALPN-01 challenge contexts never do.
        if (staple != null && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            openSsl.setOcspResponse(staple);
        }
    }

    private final java.util.Map<String, SslContext> alpnChallenges = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A client offering {@code acme-tls/1} is an ACME server validating a TLS-ALPN-01 challenge:
     * it gets the challenge certificate of the name, or nothing when none is pending. Everyone else
     * gets the name's certificate.
     */
    @Override
    public SslContext contextFor(String serverName, List<String> applicationProtocols) {
        if (applicationProtocols.contains(ServerContexts.ACME_TLS_1)) {
            SslContext challenge = serverName == null ? null : alpnChallenges.get(serverName);
            if (challenge != null) {
                alpnAnswered.increment();
            }
            return challenge;
        }
        return index.contextFor(serverName);
    }

    private final java.util.concurrent.atomic.LongAdder alpnAnswered = new java.util.concurrent.atomic.LongAdder();

    /** How many TLS-ALPN-01 validation handshakes got a challenge certificate. */
    public long alpnChallengesAnswered() {
        return alpnAnswered.sum();
    }

    /** Answers TLS-ALPN-01 validations for {@code name} with {@code certificate} until removed. */
    public void addAlpnChallenge(String name, PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        try {
            alpnChallenges.put(name.toLowerCase(java.util.Locale.ROOT), contexts.buildChallenge(key, certificate));
        } catch (javax.net.ssl.SSLException e) {
            throw new GeneralSecurityException(e);
        }
    }

    public void removeAlpnChallenge(String name) {
        alpnChallenges.remove(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** {@code BoringSSL} or {@code JDK}. */
    public String provider() {
        return contexts.provider() == SslProvider.OPENSSL ? "BoringSSL" : "JDK";
    }

    /** What each configured certificate serves now, in configuration order. */
    public List<CertificateStatus> certificates() {
        List<CertificateStatus> status = new ArrayList<>();
        for (Slot slot : slots) {
            LoadedCertificate served = slot.served;
            status.add(new CertificateStatus(served == null ? List.of() : served.names(),
                    served == null ? null : served.issuer(), served == null ? null : served.notAfter(),
                    slot.files.cert().toString(), slot.lastError));
        }
        return status;
    }

    /** What one certificate slot serves: names, issuer, expiry, the file, and the last reload error. */
    public record CertificateStatus(List<String> names, String issuer, Instant notAfter, String source,
                                    String lastError) {
    }

    /**
     * {@code GET /certs} on the admin API: the provider and, per configured certificate, its names,
     * issuer, validity, where it comes from, when it renews ({@code null}: a static file renews
     * when the file is replaced), the last error loading it, and for ACME certificates the
     * server's renewal information (ARI).
     */
    public String certsJson() {
        StringBuilder json = new StringBuilder("{\"provider\":").append(quote(provider())).append(",\"certificates\":[");
        Instant now = clock.instant();
        boolean first = true;
        for (Row row : rows()) {
            LoadedCertificate served = row.served();
            json.append(first ? "" : ",").append("{\"names\":[");
            first = false;
            List<String> names = served != null ? served.names() : row.names();
            for (int i = 0; i < names.size(); i++) {
                json.append(i == 0 ? "" : ",").append(quote(names.get(i)));
            }
            json.append("],\"issuer\":").append(served == null ? "null" : quote(served.issuer()))
                    .append(",\"not_before\":").append(served == null ? "null" : quote(served.notBefore().toString()))
                    .append(",\"not_after\":").append(served == null ? "null" : quote(served.notAfter().toString()))
                    .append(",\"valid_now\":").append(served != null && served.validAt(now))
                    .append(",\"source\":").append(quote(row.source()))
                    .append(",\"next_renewal\":").append(row.nextRenewal() == null ? "null" : quote(row.nextRenewal().toString()))
                    .append(",\"last_error\":").append(row.lastError() == null ? "null" : quote(row.lastError()))
                    .append(",\"ari\":");
            appendRenewalInfo(json, row.renewalInfo());
            json.append(",\"ocsp\":");
            appendOcsp(json, served, now);
            json.append('}');
        }
        return json.append("]}").toString();
    }

    /** {@code null} unless the certificate's ACME server offers ARI; else its window and whether it set {@code next_renewal}. */
    private static void appendRenewalInfo(StringBuilder json, RenewalInfoStatus ari) {
        if (ari == null) {
            json.append("null");
            return;
        }
        json.append("{\"drives_renewal\":").append(ari.drivesRenewal())
                .append(",\"window_start\":").append(ari.windowStart() == null ? "null" : quote(ari.windowStart().toString()))
                .append(",\"window_end\":").append(ari.windowEnd() == null ? "null" : quote(ari.windowEnd().toString()))
                .append(",\"explanation_url\":").append(ari.explanationUrl() == null ? "null" : quote(ari.explanationUrl()))
                .append(",\"next_fetch\":").append(ari.nextFetch() == null ? "null" : quote(ari.nextFetch().toString()))
                .append(",\"fetch_error\":").append(ari.fetchError() == null ? "null" : quote(ari.fetchError()))
                .append('}');
    }

    /** {@code null} when stapling is off, else the responder, the state, the last answer's times and why the last attempt failed. */
    private void appendOcsp(StringBuilder json, LoadedCertificate served, Instant now) {
        if (ocsp == null || served == null) {
            json.append("null");
            return;
        }
        OcspStatus status = ocsp.status(served.context());
        String error = status.errorAt(now);
        json.append("{\"url\":").append(status.url() == null ? "null" : quote(status.url().toString()))
                .append(",\"status\":").append(quote(status.state(now)))
                .append(",\"this_update\":").append(status.answer() == null ? "null" : quote(status.answer().thisUpdate().toString()))
                .append(",\"next_update\":").append(status.answer() == null || status.answer().nextUpdate() == null
                        ? "null" : quote(status.answer().nextUpdate().toString()));
        if (status.answer() != null && !status.answer().good()) {
            json.append(",\"revoked_at\":").append(quote(status.answer().revokedAt().toString()));
        }
        // Not "last_error": that key already says whether the certificate itself loaded.
        json.append(",\"fetch_error\":").append(error == null ? "null" : quote(error)).append('}');
    }

    /** One line of {@code /certs}: a configured file or a managed (ACME) certificate. */
    private record Row(List<String> names, LoadedCertificate served, String source, Instant nextRenewal, String lastError,
                       RenewalInfoStatus renewalInfo) {
    }

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Slot slot : slots) {
            rows.add(new Row(List.of(), slot.served, "file " + slot.files.cert(), null, slot.lastError, null));
        }
        for (java.util.Map.Entry<String, ManagedState> entry : new java.util.TreeMap<>(managedStates).entrySet()) {
            ManagedState state = entry.getValue();
            rows.add(new Row(state.names(), managed.get(entry.getKey()), state.source(), state.nextRenewal(),
                    state.lastError(), state.renewalInfo()));
        }
        return rows;
    }

    /** What a certificate manager (ACME) says about the certificate it keeps under an id. */
    private record ManagedState(List<String> names, String source, Instant nextRenewal, String lastError,
                                RenewalInfoStatus renewalInfo) {
    }

    /**
     * What the ACME server's renewal information (ARI, RFC 9773) says about a managed certificate.
     *
     * @param drivesRenewal  whether the window set the renewal time (else a third of the lifetime left did)
     * @param windowStart    the suggested window's start, or {@code null} before an answer
     * @param windowEnd      its end, or {@code null}
     * @param explanationUrl where the CA explains the window, or {@code null}
     * @param nextFetch      when the server is asked again, or {@code null}
     * @param fetchError     why the last attempt to ask failed, or {@code null}
     */
    public record RenewalInfoStatus(boolean drivesRenewal, Instant windowStart, Instant windowEnd,
                                    String explanationUrl, Instant nextFetch, String fetchError) {
    }

    private final java.util.Map<String, ManagedState> managedStates = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Records the state of a managed certificate for {@code /certs}: when it renews next, why the
     * last attempt failed ({@code null} after a success) and what ARI says ({@code null} when its
     * server offers none).
     */
    public void report(String id, List<String> names, String source, Instant nextRenewal, String lastError,
                       RenewalInfoStatus renewalInfo) {
        managedStates.put(id, new ManagedState(List.copyOf(names), source, nextRenewal, lastError, renewalInfo));
    }

    /** The certificate served under a managed id, or {@code null}. */
    public LoadedCertificate managed(String id) {
        return managed.get(id);
    }

    private static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Seconds until each certificate expires, in the Prometheus text format (for {@code Hecate.Builder.metrics}). */
    public void renderMetrics(StringBuilder out) {
        out.append("# HELP hecate_tls_certificate_expiry_seconds Seconds until the served certificate expires"
                + " (negative once expired).\n");
        out.append("# TYPE hecate_tls_certificate_expiry_seconds gauge\n");
        Instant now = clock.instant();
        for (Row row : rows()) {
            LoadedCertificate served = row.served();
            if (served == null) {
                continue;
            }
            String name = served.names().isEmpty() ? "" : served.names().get(0);
            out.append("hecate_tls_certificate_expiry_seconds{name=\"").append(escape(name))
                    .append("\",source=\"").append(escape(row.source())).append("\"} ")
                    .append(Duration.between(now, served.notAfter()).getSeconds()).append('\n');
        }
        out.append("# HELP hecate_tls_reload_errors Certificates whose last load or renewal failed"
                + " (the previous certificate is still served).\n");
        out.append("# TYPE hecate_tls_reload_errors gauge\n");
        out.append("hecate_tls_reload_errors ").append(rows().stream().filter(r -> r.lastError() != null).count())
                .append('\n');
        if (ocsp != null) {
            renderOcspMetrics(out, now);
        }
    }

    private void renderOcspMetrics(StringBuilder out, Instant now) {
        out.append("# HELP hecate_tls_ocsp_staple_expiry_seconds Seconds until the OCSP answer of the certificate"
                + " stops being fresh (negative once expired: no longer stapled).\n");
        out.append("# TYPE hecate_tls_ocsp_staple_expiry_seconds gauge\n");
        int revoked = 0;
        for (Row row : rows()) {
            LoadedCertificate served = row.served();
            OcspStatus status = served == null ? OcspStatus.NONE : ocsp.status(served.context());
            if (status.answer() == null) {
                continue;
            }
            if (!status.answer().good()) {
                revoked++;
                continue;
            }
            String name = served.names().isEmpty() ? "" : served.names().get(0);
            out.append("hecate_tls_ocsp_staple_expiry_seconds{name=\"").append(escape(name))
                    .append("\",source=\"").append(escape(row.source())).append("\"} ")
                    .append(Duration.between(now, status.answer().expires()).getSeconds()).append('\n');
        }
        out.append("# HELP hecate_tls_ocsp_revoked Certificates that their CA's OCSP responder says are revoked.\n");
        out.append("# TYPE hecate_tls_ocsp_revoked gauge\n");
        out.append("hecate_tls_ocsp_revoked ").append(revoked).append('\n');
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Checks the files now (normally done every {@code watch_interval}); returns when done. */
    public void checkNow() {
        try {
            worker.submit(this::checkFiles).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void checkFiles() {
        boolean changed = false;
        for (Slot slot : slots) {
            try {
                changed |= load(slot);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                String error = describe(e);
                if (!error.equals(slot.lastError)) {
                    LOG.error("TLS: cannot reload {}, still serving the certificate loaded before: {}",
                            slot.files.cert(), error);
                }
                slot.lastError = error;
            }
        }
        if (changed) {
            publish();
        }
    }

    /** @return whether the slot serves something new */
    private boolean load(Slot slot) throws IOException, GeneralSecurityException {
        byte[] certBytes = Files.readAllBytes(slot.files.cert());
        byte[] keyBytes = Files.readAllBytes(slot.files.key());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(certBytes);
        sha.update(keyBytes);
        byte[] digest = sha.digest();
        if (Arrays.equals(digest, slot.digest)) {
            return false;
        }
        // Remember what was tried even when it fails: a half-written file is retried once it changes again.
        slot.digest = digest;
        List<X509Certificate> chain = PemFiles.chain(slot.files.cert());
        PrivateKey key = PemFiles.privateKey(slot.files.key());
        X509Certificate leaf = chain.get(0);
        PemFiles.checkPair(key, leaf, slot.files.key());
        List<String> names = PemFiles.dnsNames(leaf);
        if (names.isEmpty()) {
            throw new GeneralSecurityException(slot.files.cert() + ": the certificate names no DNS name");
        }
        SslContext context = contexts.build(key, chain);
        LoadedCertificate loaded = new LoadedCertificate(names, leaf.getIssuerX500Principal().getName(),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), context, slot.files.cert().toString(), chain);
        if (!loaded.validAt(clock.instant())) {
            LOG.warn("TLS: {} for {} is not valid now (valid {} to {})", slot.files.cert(), names,
                    loaded.notBefore(), loaded.notAfter());
        }
        LoadedCertificate before = slot.served;
        slot.served = loaded;
        slot.lastError = null;
        if (before != null) {
            LOG.info("TLS: reloaded {} for {}, valid until {}", slot.files.cert(), names, loaded.notAfter());
        }
        return true;
    }

    private synchronized void publish() {
        List<LoadedCertificate> served = new ArrayList<>();
        for (Slot slot : slots) {
            if (slot.served != null) {
                served.add(slot.served);
            }
        }
        served.addAll(new java.util.TreeMap<>(managed).values());
        index = new CertificateIndex(served, clock.instant());
        if (ocsp != null) {
            ocsp.track(index.certificates());
        }
    }

    /** Asks every OCSP responder again now (normally done halfway to each answer's expiry); returns when all answered or failed. */
    void refreshOcspNow() throws Exception {
        if (ocsp != null) {
            worker.submit(ocsp::refreshAll).get().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Serves a certificate obtained in code (from ACME), replacing the one installed before under
     * the same id. Builds the context on the calling thread (never an event loop) and swaps it in.
     *
     * @return what is now served under {@code id}
     */
    public LoadedCertificate install(String id, PrivateKey key, List<X509Certificate> chain, String source)
            throws GeneralSecurityException {
        X509Certificate leaf = chain.get(0);
        PemFiles.checkPair(key, leaf, java.nio.file.Path.of(id));
        List<String> names = PemFiles.dnsNames(leaf);
        SslContext context;
        try {
            context = contexts.build(key, chain);
        } catch (javax.net.ssl.SSLException e) {
            throw new GeneralSecurityException(e);
        }
        LoadedCertificate loaded = new LoadedCertificate(names, leaf.getIssuerX500Principal().getName(),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), context, source, chain);
        managed.put(id, loaded);
        publish();
        LOG.info("TLS: serving {} for {}, valid until {}", source, names, loaded.notAfter());
        return loaded;
    }

    /** Rotates the session ticket keys now (normally every {@code ticket_key_rotation}); returns when done. */
    void rotateTicketKeysNow() {
        try {
            worker.submit(this::rotateTicketKeys).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void rotateTicketKeys() {
        try {
            contexts.rotateTicketKeys();
            for (LoadedCertificate certificate : index.certificates()) {
                contexts.applyTicketKeys(certificate.context());
            }
            LOG.debug("TLS: session ticket keys rotated");
        } catch (RuntimeException e) {
            LOG.error("TLS: session ticket key rotation failed", e);
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + message;
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + message;
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
