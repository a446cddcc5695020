package io.hecate.tls;

import io.hecate.core.Hecate;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.testing.ProxyFixture;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Certificates from a real ACME server (pebble): ordered over HTTP-01 answered by Hecate's HTTP
 * listener, then served on its HTTPS listener, validating against pebble's root with SNI.
 */
class AcmePebbleTest {

    @TempDir
    Path dir;
    private PebbleServer pebble;
    private ProxyFixture proxy;
    private HecateTls tls;
    private AcmeCertificates acme;

    @AfterEach
    void tearDown() throws Exception {
        if (acme != null) {
            acme.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (tls != null) {
            tls.close();
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void http01ForTwoNamesThenHttpsWithSniValidatesAgainstPebblesRoot() throws Exception {
        Assumptions.assumeTrue(PebbleServer.installed() || System.getenv("CI") != null,
                "pebble is not installed (.ci/run installs it)");
        int httpPort = PebbleServer.freePort();
        int httpsPort = PebbleServer.freePort();
        pebble = new PebbleServer(dir, httpPort, httpsPort);

        tls = HecateTls.start(new TlsSettings(List.of(), TlsSettings.DEFAULT_WATCH_INTERVAL,
                TlsSettings.DEFAULT_TICKET_KEY_ROTATION), io.hecate.tls.internal.ServerContexts.best(), java.time.Clock.systemUTC());
        Path storage = dir.resolve("acme");
        acme = new AcmeCertificates(new AcmeSettings(pebble.directory(), List.of("a.example.com", "b.example.com"),
                storage, true, "ops@example.com", List.of(pebble.httpsCa.getCertificate()), Duration.ofSeconds(60)), tls);
        ProxyConfig config = ProxyFixture.baseConfig()
                .listen(io.hecate.core.config.ListenConfig.on(new ListenAddress("127.0.0.1", httpPort))
                        .withHttps(new ListenAddress("127.0.0.1", httpsPort)))
                .route(RouteConfig.of("hello", MatchConfig.any(), new RespondAction(200, "hello\n", Map.of())))
                .build();
        proxy = ProxyFixture.start(Hecate.builder().config(config).tls(tls).httpChallenges(acme.httpChallenges()));

        X509Certificate leaf = acme.obtain().get(120, TimeUnit.SECONDS);
        assertThat(acme.lastError()).isNull();
        assertThat(sanNames(leaf)).containsExactlyInAnyOrder("a.example.com", "b.example.com");

        X509Certificate root = pebble.issuingRoot();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            for (String name : List.of("a.example.com", "b.example.com")) {
                assertThat(handshake(group, httpsPort, name, root, "h2", "http/1.1")).isEqualTo("h2");
                assertThat(handshake(group, httpsPort, name, root, "http/1.1")).isEqualTo("http/1.1");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }

        // Stored owner-only, and served again from storage by a new Hecate without asking pebble.
        assertThat(Files.getPosixFilePermissions(storage.resolve("certificates/a.example.com/privkey.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(storage.resolve("account.key")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (HecateTls again = HecateTls.start(new TlsSettings(List.of(), TlsSettings.DEFAULT_WATCH_INTERVAL,
                TlsSettings.DEFAULT_TICKET_KEY_ROTATION));
             AcmeCertificates stored = new AcmeCertificates(new AcmeSettings(pebble.directory(),
                     List.of("a.example.com", "b.example.com"), storage, true, null, List.of(), Duration.ofSeconds(5)), again)) {
            assertThat(stored.loadStored()).isTrue();
            assertThat(again.contextFor("b.example.com")).isNotNull();
        }
    }

    private static List<String> sanNames(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString()).toList();
    }

    /**
     * A TLS client that sends {@code name} by SNI, verifies the chain against {@code root} and the
     * name against the certificate, and offers {@code protocols} by ALPN; returns the protocol chosen.
     */
    private static String handshake(EventLoopGroup group, int port, String name, X509Certificate root,
                                    String... protocols) throws Exception {
        SslContext client = SslContextBuilder.forClient()
                .trustManager(root)
                .endpointIdentificationAlgorithm("HTTPS")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols))
                .build();
        SslHandler[] handler = new SslHandler[1];
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        handler[0] = client.newHandler(ch.alloc(), name, port);
                        ch.pipeline().addLast(handler[0]);
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        try {
            assertThat(handler[0].handshakeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(handler[0].handshakeFuture().cause()).as("handshake for %s", name).isNull();
            X509Certificate served = (X509Certificate) handler[0].engine().getSession().getPeerCertificates()[0];
            assertThat(sanNames(served)).contains(name);
            return handler[0].applicationProtocol();
        } finally {
            channel.close().sync();
        }
    }
}
