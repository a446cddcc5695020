package io.hecate.agent.consul;

import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.KeyCipher;
import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import io.hecate.core.Hecate;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.YamlConfigFile;
import io.hecate.tls.PebbleServer;
import io.hecate.tls.TlsModule;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two Hecates sharing their ACME storage through Consul need the same certificate from a real ACME
 * server (pebble, DNS-01 through pebble-challtestsrv, so either may order): one order reaches
 * pebble, and both serve its certificate.
 */
@Timeout(180)
class SharedCertificateTest {

    private static final String NAME = "shared.example.com";

    @TempDir
    Path dir;
    private ConsulTestDouble consul;
    private PebbleServer pebble;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        if (pebble != null) {
            pebble.close();
        }
        if (consul != null) {
            consul.close();
        }
    }

    /** One Hecate with an HTTPS listener whose ACME storage is the Consul certificate store. */
    private record Node(Hecate hecate, TlsModule tls) {
        int httpsPort() {
            return hecate.httpsAddress().getPort();
        }
    }

    private Node node(String name, int[] pebblePorts, Path acmeServerCa, byte[] key) throws Exception {
        Path file = Files.writeString(dir.resolve(name + ".yaml"), """
                listen: { http: "127.0.0.1:0", https: "127.0.0.1:0" }
                admin: { listen: "127.0.0.1:0" }
                access_log: { output: off }
                tls:
                  acme:
                    directory: %s
                    agree_to_terms: true
                    storage: %s
                    domains: [%s]
                    trusted_roots: ["%s"]
                    dns: { provider: challtestsrv, url: "http://127.0.0.1:%d" }
                routes:
                  - id: hello
                    respond: { body: "hello" }
                """.formatted(PebbleServer.directory(pebblePorts), dir.resolve(name + "-acme"), NAME, acmeServerCa,
                pebblePorts[3]));
        ProxyConfig config = new YamlConfigFile(file).load();
        ConsulConnection connection = ConsulConnection.open(ConsulSettings.of(URI.create(consul.address()))
                .withCertificates(new ConsulSettings.Certificates(key)));
        resources.add(connection);
        Hecate.Builder builder = Hecate.builder().config(config).workerThreads(1);
        TlsModule tls = TlsModule.install(builder, config,
                storage -> ConsulCertificateStore.open(connection, storage));
        resources.add(tls);
        Hecate hecate = builder.start();
        resources.add(hecate);
        return new Node(hecate, tls);
    }

    @Test
    void twoHecatesOrderOnceAndBothServeTheCertificate() throws Exception {
        consul = ConsulTestDouble.start();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        int[] pebblePorts = PebbleServer.freePorts();
        X509Bundle pebbleHttps = PebbleServer.httpsAuthority();
        Path acmeServerCa = Files.writeString(dir.resolve("acme-server-ca.pem"), pebbleHttps.getCertificatePEM());
        Node a = node("a", pebblePorts, acmeServerCa, key);
        Node b = node("b", pebblePorts, acmeServerCa, key);
        // DNS-01: pebble never connects to either Hecate; the ports are for the other challenges.
        pebble = new PebbleServer(dir, pebblePorts, a.hecate().httpAddress().getPort(), a.httpsPort(), pebbleHttps);

        // Both at once, neither holding a certificate: both want to order.
        a.tls().started();
        b.tls().started();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> a.tls().tls().contextFor(NAME) != null && b.tls().tls().contextFor(NAME) != null);

        X509Certificate root = pebble.issuingRoot();
        BigInteger servedByA = servedSerial(a.httpsPort(), root);
        BigInteger servedByB = servedSerial(b.httpsPort(), root);
        assertThat(servedByB).isEqualTo(servedByA);
        assertThat(pebble.ordersAdded()).as("orders pebble received").isEqualTo(1);
        // Both went for the lock; one waited on it (a blocking query), then served what the other ordered.
        assertThat(consul.requests()).filteredOn(r -> r.method().equals("PUT") && r.path().equals("/v1/session/create"))
                .hasSize(2);
        assertThat(consul.requests()).filteredOn(r -> r.method().equals("GET")
                && r.path().equals("/v1/kv/hecate/locks/certs/" + NAME) && r.rawQuery() != null
                && r.rawQuery().contains("index=")).isNotEmpty();
        assertThat(a.tls().acme().get(0).lastError()).isNull();
        assertThat(b.tls().acme().get(0).lastError()).isNull();
        assertThat(consul.get("hecate/certs/certificates/" + NAME + "/privkey.pem")).startsWith(KeyCipher.FORMAT);
        assertThat(consul.get("hecate/certs/account.key")).startsWith(KeyCipher.FORMAT);
    }

    /**
     * The serial of the certificate served for {@link #NAME} by SNI, after a handshake that validates
     * its chain against pebble's root; the certificate must name {@link #NAME}.
     */
    private static BigInteger servedSerial(int port, X509Certificate root) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("pebble", root);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(NAME)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertThat(leaf.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString()))
                    .containsExactly(NAME);
            return leaf.getSerialNumber();
        }
    }
}
