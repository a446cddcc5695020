package io.hecate.tls;

import io.hecate.tls.internal.ServerContexts;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ACME Renewal Information (RFC 9773) against {@link AriServerDouble}: a certificate a test CA
 * issued (with an Authority Key Identifier) is put where {@link AcmeCertificates} keeps its
 * certificates, and {@link AcmeCertificates#start()} loads it and schedules its renewal, as at a
 * restart. No order can succeed against the double; none is needed, except to see one attempted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AriTest {

    /** Every jitter drawn halfway, so that backoffs and renewal times are the same on every run. */
    private static final java.util.Random HALFWAY = new java.util.Random() {
        @Override
        public double nextDouble() {
            return 0.5;
        }
    };

    private static final String NAME = "ari.example.com";
    /** The serial of RFC 9773 §4.1's example, whose DER value starts with a zero byte. */
    private static final BigInteger SERIAL = new BigInteger("87654321", 16);

    @TempDir
    Path dir;
    private final AcmePebbleTest.MutableClock clock = new AcmePebbleTest.MutableClock();
    private AriServerDouble server;
    private HecateTls tls;
    private AcmeCertificates acme;
    private X509Certificate leaf;
    private Instant now;

    @BeforeEach
    void setUp() throws Exception {
        now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        clock.set(now);
        server = new AriServerDouble();
        X509Bundle ca = new CertificateBuilder().subject("CN=ARI Test Issuer").setIsCertificateAuthority(true).ecp256()
                .notBefore(now.minus(Duration.ofDays(10))).notAfter(now.plus(Duration.ofDays(365)))
                .buildSelfSigned();
        X509Bundle issued = new CertificateBuilder().ecp256().subject("CN=" + NAME).addSanDnsName(NAME)
                .serial(SERIAL)
                .addExtensionOctetString("2.5.29.35", false,
                        new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.getCertificate()).getEncoded())
                .notBefore(now.minus(Duration.ofDays(1))).notAfter(now.plus(Duration.ofDays(89)))
                .buildIssuedBy(ca);
        leaf = issued.getCertificate();
        Path storage = dir.resolve("acme");
        FileCertificateStore store = new FileCertificateStore(storage);
        store.write("certificates/" + NAME + "/privkey.pem", issued.getPrivateKeyPEM());
        store.write("certificates/" + NAME + "/fullchain.pem", issued.getCertificatePathPEM());

        tls = HecateTls.start(new TlsSettings(List.of(), TlsSettings.DEFAULT_WATCH_INTERVAL,
                TlsSettings.DEFAULT_TICKET_KEY_ROTATION), ServerContexts.jdk(), clock);
        acme = new AcmeCertificates(new AcmeSettings(server.directory(), List.of(NAME), storage, true, null,
                List.of(server.httpsRoot()), Duration.ofSeconds(5)), tls, clock, store, HALFWAY);
    }

    @AfterEach
    void tearDown() {
        if (acme != null) {
            acme.close();
        }
        if (tls != null) {
            tls.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Loads the stored certificate and schedules it, as at start; returns once that is done. */
    private void startAndWait() throws Exception {
        acme.start();
        // The ACME thread runs one task at a time: this one ends after start's.
        acme.renewIfDue().get(30, TimeUnit.SECONDS);
        assertThat(tls.managed("acme:" + NAME)).as("the stored certificate is served").isNotNull();
    }

    /** Moves the clock to the next renewalInfo fetch and lets the ACME thread act on it. */
    private void untilTheNextFetch() throws Exception {
        clock.set(acme.renewalInfoNextFetch());
        acme.renewIfDue().get(30, TimeUnit.SECONDS);
    }

    private Instant thirdOfLifetimeLeft() {
        return leaf.getNotAfter().toInstant().minus(
                Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()).dividedBy(3));
    }

    @Test
    void theCertIdIsTheOneOfRfc9773() {
        // §4.1's example serial 0x87654321 encodes as "AIdlQyE" (with its leading zero byte).
        assertThat(AriServerDouble.certId(leaf)).matches("[A-Za-z0-9_-]+\\.AIdlQyE");
    }

    @Test
    void renewalIsScheduledInsideTheServersWindowInsteadOfAThirdOfTheLifetime() throws Exception {
        Instant start = now.plus(Duration.ofDays(10));
        Instant end = now.plus(Duration.ofDays(12));
        server.answer(leaf, new AriServerDouble.Answer(start, end, "https://ca.example/incident/1", null));

        startAndWait();

        assertThat(server.requests()).contains("GET /renewal-info/" + AriServerDouble.certId(leaf));
        assertThat(acme.renewAt()).isBetween(start, end);
        // Far from where a third of the lifetime left would have put it.
        assertThat(acme.renewAt()).isBefore(thirdOfLifetimeLeft().minus(Duration.ofDays(30)));
        // Without Retry-After, asked again in 6 hours.
        assertThat(acme.renewalInfoNextFetch()).isEqualTo(now.plus(Duration.ofHours(6)));
        assertThat(tls.certsJson()).contains("\"next_renewal\":\"" + acme.renewAt() + "\"",
                "\"last_error\":null",
                "\"ari\":{\"drives_renewal\":true,\"window_start\":\"" + start + "\",\"window_end\":\"" + end
                        + "\",\"explanation_url\":\"https://ca.example/incident/1\",\"next_fetch\":\""
                        + now.plus(Duration.ofHours(6)) + "\",\"fetch_error\":null}");
        assertThat(server.requests()).as("nothing ordered").noneMatch(r -> r.contains("/new-"));
    }

    @Test
    void aWindowMovedIntoThePastOnARefetchMakesRenewalDueAtOnce() throws Exception {
        server.answer(leaf, new AriServerDouble.Answer(now.plus(Duration.ofDays(30)), now.plus(Duration.ofDays(32)),
                null, Duration.ofHours(1)));
        startAndWait();
        assertThat(acme.renewAt()).isAfter(now.plus(Duration.ofDays(29)));
        assertThat(server.requests()).noneMatch(r -> r.contains("/new-"));

        // A mass revocation: the CA moves the window to the past (and wants to be asked again in a minute).
        server.answer(leaf, new AriServerDouble.Answer(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)),
                "https://ca.example/incident/2", Duration.ofMinutes(1)));
        untilTheNextFetch();

        assertThat(server.renewalInfoRequests()).isEqualTo(2);
        assertThat(acme.renewAt()).isBeforeOrEqualTo(clock.instant());
        // Ordered at once: the double serves no nonce, so the attempt fails and is reported.
        assertThat(nonceRequests()).isEqualTo(1);
        assertThat(acme.lastError()).contains("nonce");
        assertThat(acme.nextAttempt()).isAfter(clock.instant());
        assertThat(tls.certsJson()).contains("\"drives_renewal\":true", "\"window_start\":\"" + now.minus(Duration.ofDays(2)),
                "\"explanation_url\":\"https://ca.example/incident/2\"");
        assertThat(tls.managed("acme:" + NAME)).as("still served while renewal fails").isNotNull();

        // Asked again before the failed order's backoff (with its jitter) is over: the window still
        // says "now", but the next order waits for the backoff.
        assertThat(acme.renewalInfoNextFetch()).isBefore(acme.nextAttempt());
        untilTheNextFetch();
        assertThat(server.renewalInfoRequests()).isEqualTo(3);
        assertThat(nonceRequests()).as("no order before the backoff is over").isEqualTo(1);
    }

    private long nonceRequests() {
        return server.requests().stream().filter(r -> r.endsWith("/new-nonce")).count();
    }

    @Test
    void aFailingRenewalInfoEndpointKeepsAThirdOfTheLifetimeIsReportedAndRetried() throws Exception {
        server.failRenewalInfo(true);
        startAndWait();

        Instant third = thirdOfLifetimeLeft();
        Duration jitter = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant())
                .dividedBy(30);
        assertThat(acme.renewAt()).isBetween(third.minus(jitter), third);
        // Retried like a failed order: after a minute, plus up to a tenth.
        assertThat(acme.renewalInfoNextFetch()).isBetween(now.plus(AcmeCertificates.FIRST_BACKOFF),
                now.plus(AcmeCertificates.FIRST_BACKOFF.multipliedBy(11).dividedBy(10)));
        assertThat(tls.certsJson()).contains("\"last_error\":null",
                "\"ari\":{\"drives_renewal\":false,\"window_start\":null,\"window_end\":null,\"explanation_url\":null,")
                .containsPattern("\"fetch_error\":\"[^\"]*the ARI double fails as told[^\"]*\"}");
        StringBuilder metrics = new StringBuilder();
        tls.renderMetrics(metrics);
        assertThat(metrics).as("the certificate itself is fine").contains("hecate_tls_reload_errors 0");

        server.failRenewalInfo(false);
        Instant start = now.plus(Duration.ofDays(20));
        Instant end = now.plus(Duration.ofDays(21));
        server.answer(leaf, new AriServerDouble.Answer(start, end, null, null));
        untilTheNextFetch();
        assertThat(acme.renewAt()).isBetween(start, end);
        assertThat(tls.certsJson()).contains("\"drives_renewal\":true", "\"fetch_error\":null}");
    }

    @Test
    void theServersRetryAfterDecidesWhenItIsAskedAgainWithinBounds() throws Exception {
        AriServerDouble.Answer inAMonth = new AriServerDouble.Answer(now.plus(Duration.ofDays(30)),
                now.plus(Duration.ofDays(31)), null, Duration.ofHours(2));
        server.answer(leaf, inAMonth);
        startAndWait();
        // acme4j turns Retry-After seconds into a time against the real clock: allow for the test's run.
        assertThat(acme.renewalInfoNextFetch()).isBetween(now.plus(Duration.ofHours(2)),
                now.plus(Duration.ofHours(2)).plus(Duration.ofSeconds(30)));
        Instant firstPick = acme.renewAt();

        clock.set(acme.renewalInfoNextFetch().minusSeconds(1));
        acme.renewIfDue().get(30, TimeUnit.SECONDS);
        assertThat(server.renewalInfoRequests()).as("not before Retry-After").isEqualTo(1);

        // Retry-After: 0 must not make a loop: asked again after a minute at the soonest.
        server.answer(leaf, new AriServerDouble.Answer(inAMonth.start(), inAMonth.end(), null, Duration.ZERO));
        untilTheNextFetch();
        assertThat(server.renewalInfoRequests()).isEqualTo(2);
        assertThat(acme.renewalInfoNextFetch()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
        assertThat(acme.renewAt()).as("the same window keeps the time picked in it").isEqualTo(firstPick);
    }

    @Test
    void withoutRenewalInfoInTheDirectoryAThirdOfTheLifetimeDecidesAndNothingMoreIsAsked() throws Exception {
        server.offerRenewalInfo(false);
        startAndWait();

        Instant third = thirdOfLifetimeLeft();
        Duration jitter = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant())
                .dividedBy(30);
        assertThat(acme.renewAt()).isBetween(third.minus(jitter), third);
        assertThat(acme.renewalInfoNextFetch()).isNull();
        assertThat(server.requests()).containsOnly("GET /dir");
        assertThat(tls.certsJson()).contains("\"ari\":null");
    }
}
