package io.hecate.agent.cli;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code hecate run} with {@code listen.https} and a {@code tls} section serves HTTPS; {@code validate} checks the section. */
class HttpsRunTest {

    @TempDir
    Path dir;
    private HecateProcess hecate;

    @AfterEach
    void tearDown() throws Exception {
        if (hecate != null) {
            hecate.close();
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String chain(X509Bundle bundle) throws CertificateEncodingException {
        StringBuilder text = new StringBuilder();
        for (X509Certificate certificate : bundle.getCertificatePath()) {
            text.append(pem("CERTIFICATE", certificate.getEncoded()));
        }
        return text.toString();
    }

    @Test
    void servesHttpsFromPemFilesNamedInTheConfig() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=Test CA").setIsCertificateAuthority(true).ecp256()
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
                .buildSelfSigned();
        X509Bundle site = new CertificateBuilder().subject("CN=site.test").ecp256()
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
                .addExtendedKeyUsageServerAuth().addSanDnsName("site.test").addSanIpAddress("127.0.0.1")
                .buildIssuedBy(ca);
        Path cert = Files.writeString(dir.resolve("site.crt"), chain(site));
        Path key = Files.writeString(dir.resolve("site.key"), pem("PRIVATE KEY", site.getKeyPair().getPrivate().getEncoded()));
        int[] ports = FreePorts.pick(3);
        Path config = Files.writeString(dir.resolve("hecate.yaml"), """
                listen: { http: "127.0.0.1:%d", https: "127.0.0.1:%d" }
                admin: { listen: "127.0.0.1:%d" }
                tls:
                  certificates:
                    - cert: "%s"
                      key: "%s"
                routes:
                  - id: hello
                    respond: { body: "secure\\n" }
                """.formatted(ports[0], ports[1], ports[2], cert, key));

        Cli valid = Cli.execute("validate", config.toString());
        assertThat(valid.exitCode()).as(valid.err()).isZero();

        hecate = HecateProcess.run(config, dir);
        hecate.awaitReady(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), ports[2]);
        SSLContext trust = SSLContext.getInstance("TLS");
        trust.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        // The JDK client sends no SNI for an IP literal unless told to.
        parameters.setServerNames(List.of(new SNIHostName("site.test")));
        HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trust)
                .sslParameters(parameters).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = https.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ports[1] + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).isEqualTo("secure\n");
        assertThat(((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0])
                .getSubjectX500Principal().getName()).isEqualTo("CN=site.test");
        assertThat(hecate.log()).contains("TLS: BoringSSL");
        HttpResponse<String> certs = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[2] + "/certs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(certs.statusCode()).isEqualTo(200);
        assertThat(certs.body()).contains("\"names\":[\"site.test\"]", "\"issuer\":\"CN=Test CA\"", "\"last_error\":null");
    }

    @Test
    void validateReportsAnHttpsListenerWithoutCertificates() throws IOException {
        Path config = Files.writeString(dir.resolve("bad.yaml"), """
                listen: { https: "127.0.0.1:8443" }
                tls:
                  certificates:
                    - cert: /etc/site.crt
                routes:
                  - id: hello
                    respond: { body: "hi" }
                """);
        Cli result = Cli.execute("validate", config.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("tls.certificates[0].key: required");
    }
}
