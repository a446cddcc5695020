package io.hecate.tls;

import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import io.hecate.core.testing.TestPki;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Static certificates from PEM files on Hecate's HTTPS listener, with real handshakes: SNI picks the
 * certificate (exact and wildcard names), ALPN gives h2 or http/1.1, a file replaced on disk is
 * served without a restart, and only TLS 1.2 and 1.3 are spoken.
 */
class StaticCertificatesTest {

    @TempDir
    Path dir;
    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    @AutoClose
    private HecateTls tls;

    private TestPki pki;
    private TlsSettings.CertificateFiles exact;
    private TlsSettings.CertificateFiles wildcard;

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.create();
        exact = write("exact", pki.ecdsa("a.test"));
        wildcard = write("wildcard", pki.rsa("*.wild.test"));
        backend = TestBackend.start();
    }

    @AfterEach
    void tearDown() {
        // @AutoClose closes the fields in reverse order: proxy, backend, then tls.
    }

    private TlsSettings.CertificateFiles write(String name, X509Bundle bundle) throws IOException {
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Files.writeString(cert, chainPem(bundle));
        Files.writeString(key, keyPem(bundle));
        return new TlsSettings.CertificateFiles(cert, key);
    }

    /** The leaf and its issuer, PEM, as certbot's fullchain.pem. */
    static String chainPem(X509Bundle bundle) throws IOException {
        StringBuilder pem = new StringBuilder();
        try {
            for (X509Certificate certificate : bundle.getCertificatePath()) {
                pem.append(pem("CERTIFICATE", certificate.getEncoded()));
            }
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException(e);
        }
        return pem.toString();
    }

    /** The private key, PEM PKCS#8. */
    static String keyPem(X509Bundle bundle) {
        return pem("PRIVATE KEY", bundle.getKeyPair().getPrivate().getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Replaces the files the way deploy tools do: a new file renamed over the old one. */
    private void replace(TlsSettings.CertificateFiles files, X509Bundle bundle) throws IOException {
        Path cert = Files.writeString(dir.resolve("next.crt"), chainPem(bundle));
        Path key = Files.writeString(dir.resolve("next.key"), keyPem(bundle));
        Files.move(key, files.key(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(cert, files.cert(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void start(TlsSettings settings) throws ConfigException {
        tls = HecateTls.start(settings);
        ProxyConfig config = ProxyFixture.baseConfig()
                .listen(ProxyFixture.baseConfig().build().listen().withHttps(new ListenAddress("127.0.0.1", 0)))
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build();
        proxy = ProxyFixture.start(Hecate.builder().config(config).tls(tls).metrics(tls::renderMetrics)
                .adminEndpoint("/certs", tls::certsJson));
    }

    private HttpResponse<String> get(HttpClient.Version version, String sni) throws Exception {
        URI uri = URI.create("https://127.0.0.1:" + proxy.proxy().httpsAddress().getPort() + "/");
        return pki.client(version, sni).send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static X509Certificate served(HttpResponse<?> response) throws Exception {
        return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    @Test
    void sniPicksExactAndWildcardCertificatesAndAlpnPicksTheProtocol() throws Exception {
        start(TlsSettings.of(exact, wildcard));
        if (OpenSsl.isAvailable()) {
            assertThat(tls.provider()).isEqualTo("BoringSSL");
        }

        for (HttpClient.Version version : HttpClient.Version.values()) {
            HttpResponse<String> a = get(version, "a.test");
            assertThat(a.statusCode()).isEqualTo(200);
            assertThat(a.version()).isEqualTo(version);
            assertThat(TestPki.servedName(a.sslSession())).isEqualTo("a.test");
            assertThat(served(a).getPublicKey().getAlgorithm()).isEqualTo("EC");
            assertThat(a.sslSession().orElseThrow().getProtocol()).isIn("TLSv1.3", "TLSv1.2");

            HttpResponse<String> w = get(version, "shop.wild.test");
            assertThat(w.version()).isEqualTo(version);
            assertThat(TestPki.servedName(w.sslSession())).isEqualTo("*.wild.test");
            assertThat(served(w).getPublicKey().getAlgorithm()).isEqualTo("RSA");
        }
        assertThat(backend.lastRecorded().header("x-forwarded-proto")).isEqualTo("https");

        // A wildcard covers one label only, and names with no certificate are refused.
        assertThatThrownBy(() -> get(HttpClient.Version.HTTP_1_1, "a.b.wild.test")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get(HttpClient.Version.HTTP_1_1, "wild.test")).isInstanceOf(IOException.class);
        // No SNI: the first certificate.
        assertThat(TestPki.servedName(get(HttpClient.Version.HTTP_1_1, null).sslSession())).isEqualTo("a.test");

        assertThat(proxy.metricsText()).contains("hecate_tls_certificate_expiry_seconds{name=\"a.test\"");
    }

    @Test
    void aCertificateReplacedOnDiskIsServedWithoutARestartAndABrokenOneIsNot() throws Exception {
        start(TlsSettings.of(exact, wildcard).withWatchInterval(Duration.ofMillis(100)));
        BigInteger first = served(get(HttpClient.Version.HTTP_2, "a.test")).getSerialNumber();

        X509Bundle renewed = pki.ecdsa("a.test");
        replace(exact, renewed);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(served(get(HttpClient.Version.HTTP_2, "a.test")).getSerialNumber())
                        .isEqualTo(renewed.getCertificate().getSerialNumber())
                        .isNotEqualTo(first));

        // A key that does not match: reported, and the renewed certificate keeps being served.
        Files.writeString(exact.key(), keyPem(pki.ecdsa("a.test")));
        tls.checkNow();
        assertThat(tls.certificates().get(0).lastError()).contains("is not the key of the certificate");
        assertThat(served(get(HttpClient.Version.HTTP_1_1, "a.test")).getSerialNumber())
                .isEqualTo(renewed.getCertificate().getSerialNumber());
        assertThat(proxy.metricsText()).contains("hecate_tls_reload_errors 1");
        String certs = proxy.admin("/certs").body();
        assertThat(certs).contains("\"names\":[\"a.test\"]", "\"last_error\":\"" + exact.key()
                + " is not the key of the certificate", "\"valid_now\":true", "CN=Hecate Test CA");

        // Fixed: served again, error gone.
        X509Bundle third = pki.ecdsa("a.test");
        replace(exact, third);
        tls.checkNow();
        assertThat(tls.certificates().get(0).lastError()).isNull();
        assertThat(served(get(HttpClient.Version.HTTP_1_1, "a.test")).getSerialNumber())
                .isEqualTo(third.getCertificate().getSerialNumber());
    }

    @Test
    void onlyTls12And13AreSpoken() throws Exception {
        start(TlsSettings.of(exact));
        assertThat(OpenSsl.isAvailable()).as("BoringSSL (netty-tcnative, linux-x86_64) loads: it is the TLS 1.1 client here").isTrue();
        int port = proxy.proxy().httpsAddress().getPort();

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertThat(handshake(group, port, "TLSv1.2")).isTrue();
            assertThat(handshake(group, port, "TLSv1.1")).isFalse();
            assertThat(handshake(group, port, "TLSv1")).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void sessionsResumeWithTicketsUntilTheKeysHaveRotatedTwice() throws Exception {
        start(TlsSettings.of(exact));
        assertThat(OpenSsl.isAvailable()).as("BoringSSL (netty-tcnative, linux-x86_64) loads: ticket keys are Hecate's with it").isTrue();
        int port = proxy.proxy().httpsAddress().getPort();
        Path session = dir.resolve("session.pem");

        assertThat(sClient(port, "-sess_out", session)).as("first connection").contains("New, TLSv1.3");
        assertThat(sClient(port, "-sess_in", session)).as("with its ticket").contains("Reused, TLSv1.3");

        tls.rotateTicketKeysNow();
        assertThat(sClient(port, "-sess_in", session)).as("one rotation: the previous key still decrypts")
                .contains("Reused, TLSv1.3");

        tls.rotateTicketKeysNow();
        assertThat(sClient(port, "-sess_in", session)).as("two rotations: the ticket's key is gone")
                .contains("New, TLSv1.3");
    }

    /**
     * One HTTPS request with OpenSSL's command-line client (which keeps a TLS 1.3 session ticket
     * in a file), reading until the server closes; returns its output.
     */
    private static String sClient(int port, String sessionOption, Path session) throws Exception {
        Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "a.test", "-tls1_3", "-ign_eof", sessionOption, session.toString())
                .redirectErrorStream(true).start();
        process.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("openssl s_client finished").isTrue();
        assertThat(output).as("the request was answered").contains("HTTP/1.1 200");
        return output;
    }

    /** A BoringSSL client that offers only {@code protocol}; true when the handshake succeeded. */
    private boolean handshake(EventLoopGroup group, int port, String protocol) throws Exception {
        SslContext client = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL)
                .protocols(protocol)
                .trustManager(pki.ca().getCertificate())
                .build();
        SslHandler[] handler = new SslHandler[1];
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        handler[0] = client.newHandler(ch.alloc(), "a.test", port);
                        ch.pipeline().addLast(handler[0]);
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        try {
            // The client really offers the protocol (otherwise a refusal would prove nothing).
            List<String> offered = Arrays.asList(handler[0].engine().getEnabledProtocols());
            assertThat(offered).contains(protocol);
            if (!protocol.equals("TLSv1.2")) {
                assertThat(offered).doesNotContain("TLSv1.2", "TLSv1.3");
            }
            return handler[0].handshakeFuture().await(5, TimeUnit.SECONDS) && handler[0].handshakeFuture().isSuccess();
        } finally {
            channel.close().sync();
        }
    }

    @Test
    void aMissingFileStopsTheStartWithAClearError() {
        TlsSettings settings = TlsSettings.of(new TlsSettings.CertificateFiles(dir.resolve("none.crt"), exact.key()));
        assertThatThrownBy(() -> HecateTls.start(settings))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.certificates[0]")
                .hasMessageContaining("none.crt");
    }
}
