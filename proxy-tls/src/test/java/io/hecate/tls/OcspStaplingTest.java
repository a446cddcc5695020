package io.hecate.tls;

import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.testing.LeakWatcher;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.tls.internal.ServerContexts;
import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OCSP stapling against a real responder: {@code openssl} is the CA and runs {@code openssl ocsp};
 * {@code openssl s_client -status} is the client that asks for the staple and prints it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OcspStaplingTest {

    private static final String SERIAL = "0x1001";

    @TempDir
    Path dir;
    @AutoClose
    private OpensslCa ca;
    @AutoClose
    private HecateTls tls;
    @AutoClose
    private ProxyFixture proxy;

    @BeforeEach
    void ca() throws Exception {
        assertThat(OpenSsl.isAvailable() && OpenSsl.isOcspSupported())
                .as("BoringSSL (netty-tcnative, linux-x86_64) loads and can staple").isTrue();
        ca = OpensslCa.create(dir);
    }

    private void start(TlsSettings settings, Clock clock) throws ConfigException {
        tls = HecateTls.start(settings, ServerContexts.best(), clock);
        ProxyConfig config = ProxyFixture.baseConfig()
                .listen(ProxyFixture.baseConfig().build().listen().withHttps(new ListenAddress("127.0.0.1", 0)))
                .route(RouteConfig.of("hello", MatchConfig.any(), new RespondAction(200, "hello\n", Map.of())))
                .build();
        proxy = ProxyFixture.start(Hecate.builder().config(config).tls(tls).metrics(tls::renderMetrics)
                .adminEndpoint("/certs", tls::certsJson));
    }

    private String certs() {
        return proxy.admin("/certs").body();
    }

    @Test
    void aGoodAnswerIsStapledAndARevokedOneIsNot() throws Exception {
        TlsSettings.CertificateFiles files = ca.issue("ocsp.test", SERIAL, true);
        // A delegated responder first (a certificate the CA made an OCSP signer), the CA itself after the revocation.
        ca.startResponder(true, 60);
        try (LeakWatcher leaks = LeakWatcher.install()) {
            start(TlsSettings.of(files), Clock.systemUTC());
            await().atMost(Duration.ofSeconds(15)).until(() -> certs().contains("\"status\":\"good\""));
            assertThat(certs()).contains("\"ocsp\":{\"url\":\"http://127.0.0.1:" + ca.ocspPort + "\",\"status\":\"good\"",
                    "\"fetch_error\":null}");
            assertThat(certs()).containsPattern("\"this_update\":\"[0-9T:.-]+Z\",\"next_update\":\"[0-9T:.-]+Z\"");

            for (String protocol : new String[] {"-tls1_3", "-tls1_2"}) {
                String handshake = sClient("ocsp.test", protocol);
                assertThat(handshake).as(protocol).contains("OCSP Response Status: successful (0x0)", "Cert Status: good",
                        "Responder Id: CN = Hecate OCSP Test Responder");
            }
            String metrics = proxy.metricsText();
            assertThat(metrics).containsPattern("hecate_tls_ocsp_staple_expiry_seconds\\{name=\"ocsp.test\",source=\"[^\"]+\"} 3[0-9]{3}\n")
                    .contains("hecate_tls_ocsp_revoked 0\n");

            ca.revoke(SERIAL);
            ca.startResponder(false, 60);
            tls.refreshOcspNow();

            assertThat(certs()).contains("\"status\":\"revoked\"", "\"revoked_at\":\"", "\"fetch_error\":null}");
            String afterRevocation = sClient("ocsp.test", "-tls1_3");
            assertThat(afterRevocation).contains("OCSP response: no response sent").doesNotContain("Cert Status");
            assertThat(proxy.metricsText()).contains("hecate_tls_ocsp_revoked 1\n")
                    .doesNotContain("hecate_tls_ocsp_staple_expiry_seconds{");

            proxy.close();
            tls.close();
            assertThat(leaks.collect()).isEmpty();
        }
    }

    @Test
    void aCertificateWithoutAnOcspUrlHandshakesWithoutAStaple() throws Exception {
        TlsSettings.CertificateFiles files = ca.issue("plain.test", "0x2002", false);
        start(TlsSettings.of(files), Clock.systemUTC());

        String handshake = sClient("plain.test", "-tls1_3");
        assertThat(handshake).contains("OCSP response: no response sent");
        assertThat(certs()).contains("\"names\":[\"plain.test\"]",
                "\"ocsp\":{\"url\":null,\"status\":\"none\",\"this_update\":null,\"next_update\":null,\"fetch_error\":null}");
    }

    @Test
    void anExpiredAnswerStopsBeingStapledWhenTheResponderIsGone() throws Exception {
        TlsSettings.CertificateFiles files = ca.issue("ocsp.test", SERIAL, true);
        ca.startResponder(false, 5);
        AcmePebbleTest.MutableClock clock = new AcmePebbleTest.MutableClock();
        start(TlsSettings.of(files), clock);
        await().atMost(Duration.ofSeconds(15)).until(() -> certs().contains("\"status\":\"good\""));
        assertThat(sClient("ocsp.test", "-tls1_3")).contains("Cert Status: good");

        ca.stopResponder();
        clock.set(clock.instant().plus(Duration.ofMinutes(4)));
        tls.refreshOcspNow();
        // The responder is down, but the answer from before is still fresh: still stapled, the failure shown.
        assertThat(sClient("ocsp.test", "-tls1_3")).contains("Cert Status: good");
        assertThat(certs()).contains("\"status\":\"good\"").containsPattern("\"fetch_error\":\"[^\"]+\"}");

        clock.set(clock.instant().plus(Duration.ofMinutes(2)));
        assertThat(sClient("ocsp.test", "-tls1_3")).contains("OCSP response: no response sent");
        assertThat(certs()).contains("\"status\":\"error\"");
    }

    @Test
    void aReplacedCertificateGetsItsOwnAnswer() throws Exception {
        TlsSettings.CertificateFiles files = ca.issue("ocsp.test", SERIAL, true);
        TlsSettings.CertificateFiles renewed = ca.issue("renewed", "0x1003", "ocsp.test", true);
        ca.startResponder(false, 60);
        start(TlsSettings.of(files).withWatchInterval(Duration.ofMillis(100)), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(15)).until(() -> sClient("ocsp.test", "-tls1_3").contains("Cert Status: good"));
        assertThat(sClient("ocsp.test", "-tls1_3")).contains("Serial Number: 1001");

        // Renamed over the served files, as deploy tools do: the new certificate is asked about at once.
        Files.move(renewed.key(), files.key(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(renewed.cert(), files.cert(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(sClient("ocsp.test", "-tls1_3"))
                .contains("Serial Number: 1003", "Cert Status: good"));
    }

    @Test
    void anAnswerSignedByACertificateTheIssuerDidNotMakeAResponderIsNotStapled() throws Exception {
        TlsSettings.CertificateFiles files = ca.issue("ocsp.test", SERIAL, true);
        // Signed by the leaf itself: issued by the CA, but without id-kp-OCSPSigning.
        ca.startResponder("ocsp.test", 60);
        start(TlsSettings.of(files), Clock.systemUTC());

        await().atMost(Duration.ofSeconds(15)).until(() -> certs().contains("\"status\":\"error\""));
        assertThat(certs()).contains("\"fetch_error\":\"the response is signed neither by the issuer nor by a responder it delegated to\"");
        assertThat(sClient("ocsp.test", "-tls1_3")).contains("OCSP response: no response sent");
    }

    /** A handshake by {@code openssl s_client -status}, input closed, bounded; its output. */
    private String sClient(String name, String protocol) throws Exception {
        Path out = Files.createTempFile(dir, "s_client", ".out");
        Process process = new ProcessBuilder("openssl", "s_client", "-connect",
                "127.0.0.1:" + proxy.proxy().httpsAddress().getPort(), "-servername", name, "-status", protocol,
                "-CAfile", dir.resolve("ca.pem").toString(), "-verify_return_error")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("openssl s_client did not finish: " + Files.readString(out));
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(output).as("handshake with %s", name).contains("Verify return code: 0 (ok)");
        return output;
    }
}
