package io.hecate.agent.consul.internal;

import io.hecate.agent.consul.ConsulSettings;
import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsulConnectionTest {

    @TempDir
    Path dir;

    @Test
    void theTokenTravelsAsAHeaderNeverInTheUrl() throws Exception {
        try (ConsulTestDouble consul = ConsulTestDouble.start().requireToken("s3cret");
             ConsulConnection connection = ConsulConnection.open(
                     ConsulSettings.of(URI.create(consul.address())).withToken("s3cret"))) {
            consul.put("hecate/routes/a", "x");

            assertThat(connection.call("read", () -> connection.client().getKVValues("hecate/", connection.now()))
                    .getValue()).hasSize(1);
            assertThat(consul.requests()).allSatisfy(r -> {
                assertThat(r.token()).isEqualTo("s3cret");
                assertThat(r.rawQuery()).doesNotContain("s3cret");
            });
        }
    }

    @Test
    void aRefusedTokenIsNamedAsSuch() throws Exception {
        try (ConsulTestDouble consul = ConsulTestDouble.start().requireToken("right");
             ConsulConnection wrong = ConsulConnection.open(
                     ConsulSettings.of(URI.create(consul.address())).withToken("wrong"));
             ConsulConnection none = ConsulConnection.open(ConsulSettings.of(URI.create(consul.address())))) {
            assertThatThrownBy(() -> wrong.call("read routes", () -> wrong.client().getKVValues("hecate/", wrong.now())))
                    .isInstanceOfSatisfying(ConsulUnavailableException.class, e -> assertThat(e.tokenRefused()).isTrue())
                    .hasMessageContaining(consul.address()).hasMessageContaining("refused the ACL token")
                    .hasMessageContaining("read routes").hasMessageContaining("403");
            assertThatThrownBy(() -> none.call("read routes", () -> none.client().getKVValues("hecate/", none.now())))
                    .hasMessageContaining("no token was sent");
        }
    }

    @Test
    void queriesAskTheConfiguredDatacenter() throws Exception {
        try (ConsulTestDouble consul = ConsulTestDouble.start();
             ConsulConnection dc1 = ConsulConnection.open(ConsulSettings.of(URI.create(consul.address()))
                     .withDatacenter("dc1"));
             ConsulConnection elsewhere = ConsulConnection.open(ConsulSettings.of(URI.create(consul.address()))
                     .withDatacenter("dc2"))) {
            consul.put("hecate/routes/a", "x");

            assertThat(dc1.call("read", () -> dc1.client().getKVValues("hecate/", dc1.after(0))).getValue()).hasSize(1);
            assertThat(consul.requests()).last().satisfies(r -> assertThat(r.rawQuery()).contains("dc=dc1"));
            assertThatThrownBy(() -> elsewhere.call("read", () -> elsewhere.client().getKVValues("hecate/",
                    elsewhere.now()))).hasMessageContaining("answered 500").hasMessageContaining("No path to datacenter");
        }
    }

    @Test
    void anUnreachableConsulIsNamedWithItsAddress() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (ConsulConnection connection = ConsulConnection.open(
                ConsulSettings.of(URI.create("http://127.0.0.1:" + port)))) {
            assertThatThrownBy(() -> connection.call("read routes",
                    () -> connection.client().getKVValues("hecate/", connection.now())))
                    .isInstanceOfSatisfying(ConsulUnavailableException.class, e -> assertThat(e.status()).isZero())
                    .hasMessageContaining("Consul at http://127.0.0.1:" + port + " is unreachable (read routes)");
        }
    }

    @Test
    void httpsIsVerifiedAgainstTheCaFileWithAClientCertificateReadFromPem() throws Exception {
        X509Bundle authority = new CertificateBuilder().subject("CN=Consul CA").setIsCertificateAuthority(true)
                .ecp256().buildSelfSigned();
        X509Bundle server = new CertificateBuilder().subject("CN=localhost").addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(authority);
        X509Bundle client = new CertificateBuilder().subject("CN=hecate").addExtendedKeyUsageClientAuth()
                .ecp256().buildIssuedBy(authority);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(server.toKeyManagerFactory().getKeyManagers(), null, null);
        Path ca = Files.writeString(dir.resolve("ca.pem"), authority.getCertificatePEM());
        Path cert = Files.writeString(dir.resolve("client.pem"), client.getCertificatePathPEM());
        Path key = Files.writeString(dir.resolve("client.key"), client.getPrivateKeyPEM());

        try (ConsulTestDouble consul = ConsulTestDouble.startHttps(serverContext);
             ConsulConnection trusted = ConsulConnection.open(ConsulSettings.of(URI.create(consul.address()))
                     .withTls(new ConsulSettings.Tls(ca, cert, key)));
             ConsulConnection untrusted = ConsulConnection.open(ConsulSettings.of(URI.create(consul.address())))) {
            consul.put("hecate/upstreams/app", "targets: []");

            assertThat(trusted.call("read", () -> trusted.client().getKVValues("hecate/", trusted.now())).getValue())
                    .hasSize(1);
            assertThatThrownBy(() -> untrusted.call("read", () -> untrusted.client().getKVValues("hecate/",
                    untrusted.now()))).hasMessageContaining("unreachable");
        }
    }
}
