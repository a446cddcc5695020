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
import static org.awaitility.Awaitility.await;

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

    private int httpsPort;
    private final MutableClock clock = new MutableClock();

    /** A clock the test moves; starts at the real time. */
    static final class MutableClock extends java.time.Clock {
        private volatile java.time.Instant now = java.time.Instant.now();

        void set(java.time.Instant instant) {
            now = instant;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private boolean answerChallenges = true;
    private String eabKeyId;
    private String eabHmacKey;

    /** Pebble, and Hecate with HTTP and HTTPS listeners, proxy-tls and ACME for {@code names}. */
    private void startAll(String... names) throws Exception {
        assertThat(PebbleServer.installed()).as("pebble installed (.ci/run installs it)").isTrue();
        int[] pebblePorts = PebbleServer.freePorts();
        io.hecate.core.testing.TestPki pebbleCa = io.hecate.core.testing.TestPki.create();

        tls = HecateTls.start(new TlsSettings(List.of(), TlsSettings.DEFAULT_WATCH_INTERVAL,
                TlsSettings.DEFAULT_TICKET_KEY_ROTATION), io.hecate.tls.internal.ServerContexts.best(), java.time.Clock.systemUTC());
        acme = new AcmeCertificates(new AcmeSettings(PebbleServer.directory(pebblePorts), List.of(names),
                dir.resolve("acme"), true, "ops@example.com", List.of(pebbleCa.ca().getCertificate()),
                Duration.ofSeconds(60)), tls, clock);
        // Hecate first, on ports the system picks; then pebble, told where to validate.
        ProxyConfig config = ProxyFixture.baseConfig()
                .listen(io.hecate.core.config.ListenConfig.on(new ListenAddress("127.0.0.1", 0))
                        .withHttps(new ListenAddress("127.0.0.1", 0)))
                .route(RouteConfig.of("hello", MatchConfig.any(), new RespondAction(200, "hello\n", Map.of())))
                .build();
        Hecate.Builder builder = Hecate.builder().config(config).tls(tls)
                .metrics(tls::renderMetrics).adminEndpoint("/certs", tls::certsJson);
        if (answerChallenges) {
            builder.httpChallenges(acme.httpChallenges());
        }
        proxy = ProxyFixture.start(builder);
        httpsPort = proxy.proxy().httpsAddress().getPort();
        pebble = new PebbleServer(dir, pebblePorts, proxy.http().getPort(), httpsPort, pebbleCa.ca(), eabKeyId,
                eabHmacKey);
    }

    @Test
    void http01ForTwoNamesThenHttpsWithSniValidatesAgainstPebblesRoot() throws Exception {
        startAll("a.example.com", "b.example.com");
        Path storage = dir.resolve("acme");

        X509Certificate leaf = acme.obtain().get(120, TimeUnit.SECONDS);
        assertThat(acme.lastError()).isNull();
        assertThat(sanNames(leaf)).containsExactlyInAnyOrder("a.example.com", "b.example.com");

        X509Certificate root = pebble.issuingRoot();
        int httpsPort = this.httpsPort;
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

    @Test
    void renewalForcedByTheClockIsServedWithoutARestartAndOpenConnectionsStay() throws Exception {
        startAll("renew.example.com");
        acme.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> tls.managed("acme:renew.example.com") != null);
        X509Certificate root = pebble.issuingRoot();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Connection open = Connection.open(group, httpsPort, "renew.example.com", root);
            java.math.BigInteger first = open.served().getSerialNumber();
            assertThat(open.get()).contains("HTTP/1.1 200", "hello");

            // Not due yet: nothing is ordered.
            acme.renewIfDue().get(60, TimeUnit.SECONDS);
            assertThat(Connection.open(group, httpsPort, "renew.example.com", root).closeAfter().getSerialNumber())
                    .isEqualTo(first);

            // A third of the lifetime left: renewed, served to new connections, the open one keeps working.
            clock.set(open.served().getNotAfter().toInstant().minus(Duration.ofDays(30)));
            acme.renewIfDue().get(90, TimeUnit.SECONDS);
            assertThat(acme.lastError()).isNull();
            X509Certificate renewed = Connection.open(group, httpsPort, "renew.example.com", root).closeAfter();
            assertThat(renewed.getSerialNumber()).isNotEqualTo(first);
            assertThat(open.get()).contains("HTTP/1.1 200", "hello");
            assertThat(acme.renewAt()).isBetween(renewed.getNotBefore().toInstant(), renewed.getNotAfter().toInstant());
            open.close();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void whilePebbleIsDownTheOldCertificateIsServedAndTheErrorShownThenRenewalSucceeds() throws Exception {
        startAll("down.example.com");
        acme.obtain().get(90, TimeUnit.SECONDS);
        X509Certificate root = pebble.issuingRoot();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            X509Certificate first = Connection.open(group, httpsPort, "down.example.com", root).closeAfter();

            pebble.stopPebble();
            clock.set(first.getNotAfter().toInstant().minus(Duration.ofDays(30)));
            acme.renewIfDue().get(90, TimeUnit.SECONDS);
            assertThat(acme.lastError()).startsWith("Network error").containsIgnoringCase("connect");
            assertThat(acme.nextAttempt()).isAfter(clock.instant());
            assertThat(Connection.open(group, httpsPort, "down.example.com", root).closeAfter().getSerialNumber())
                    .isEqualTo(first.getSerialNumber());
            String certs = proxy.admin("/certs").body();
            assertThat(certs).contains("\"names\":[\"down.example.com\"]", "\"valid_now\":true")
                    .doesNotContain("\"last_error\":null");
            assertThat(proxy.metricsText()).contains("hecate_tls_reload_errors 1");

            pebble.startPebble();
            acme.renewIfDue().get(90, TimeUnit.SECONDS);
            assertThat(acme.lastError()).isNull();
            X509Certificate renewed = Connection.open(group, httpsPort, "down.example.com", pebble.issuingRoot()).closeAfter();
            assertThat(renewed.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
            assertThat(proxy.admin("/certs").body()).contains("\"last_error\":null");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A TLS connection to Hecate (HTTP/1.1), verified against a root and the SNI name. */
    private static final class Connection implements AutoCloseable {
        private final Channel channel;
        private final SslHandler ssl;
        private final java.util.concurrent.LinkedBlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();

        private Connection(Channel channel, SslHandler ssl) {
            this.channel = channel;
            this.ssl = ssl;
        }

        static Connection open(EventLoopGroup group, int port, String name, X509Certificate root) throws Exception {
            SslContext client = SslContextBuilder.forClient().trustManager(root).endpointIdentificationAlgorithm("HTTPS")
                    .build();
            SslHandler[] handler = new SslHandler[1];
            Connection[] connection = new Connection[1];
            java.util.concurrent.LinkedBlockingQueue<String> inbox = new java.util.concurrent.LinkedBlockingQueue<>();
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(io.netty.channel.ChannelOption.AUTO_READ, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            handler[0] = client.newHandler(ch.alloc(), name, port);
                            ch.pipeline().addLast(handler[0], new io.netty.channel.SimpleChannelInboundHandler<io.netty.buffer.ByteBuf>() {
                                @Override
                                protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx, io.netty.buffer.ByteBuf msg) {
                                    inbox.add(msg.toString(java.nio.charset.StandardCharsets.UTF_8));
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
            assertThat(handler[0].handshakeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(handler[0].handshakeFuture().cause()).as("handshake for %s", name).isNull();
            connection[0] = new Connection(channel, handler[0]);
            connection[0].received.addAll(inbox);
            connection[0].inbox = inbox;
            return connection[0];
        }

        private java.util.concurrent.LinkedBlockingQueue<String> inbox;

        X509Certificate served() throws Exception {
            return (X509Certificate) ssl.engine().getSession().getPeerCertificates()[0];
        }

        /** One keep-alive request on this connection; the response text. */
        String get() throws Exception {
            assertThat(channel.isActive()).as("connection still open").isTrue();
            channel.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(
                    "GET / HTTP/1.1\r\nHost: x\r\n\r\n", java.nio.charset.StandardCharsets.US_ASCII)).sync();
            StringBuilder response = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!response.toString().contains("hello\n") && System.nanoTime() < deadline) {
                String part = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (part != null) {
                    response.append(part);
                }
            }
            return response.toString();
        }

        X509Certificate closeAfter() throws Exception {
            try {
                return served();
            } finally {
                close();
            }
        }

        @Override
        public void close() throws Exception {
            channel.close().sync();
        }
    }

    @Test
    void automaticHttpsForADomainFromTheConfigFile() throws Exception {
        assertThat(PebbleServer.installed()).as("pebble installed (.ci/run installs it)").isTrue();
        int[] pebblePorts = PebbleServer.freePorts();
        io.hecate.core.testing.TestPki pebbleCa = io.hecate.core.testing.TestPki.create();
        Path caFile = Files.writeString(dir.resolve("acme-server-ca.pem"),
                StaticCertificatesTest.chainPem(pebbleCa.ca()));
        Path file = Files.writeString(dir.resolve("hecate.yaml"), """
                listen: { http: "127.0.0.1:0", https: "127.0.0.1:0" }
                admin: { listen: "127.0.0.1:0" }
                access_log: { output: off }
                tls:
                  acme:
                    directory: %s
                    email: ops@example.com
                    agree_to_terms: true
                    storage: %s
                    domains: [shop.example.com, [example.org, www.example.org]]
                    trusted_roots: ["%s"]
                routes:
                  - id: hello
                    respond: { body: "hello\\n" }
                """.formatted(PebbleServer.directory(pebblePorts), dir.resolve("acme"), caFile));
        ProxyConfig config = new io.hecate.core.config.YamlConfigFile(file).load();
        Hecate.Builder builder = Hecate.builder().config(config);
        try (TlsModule module = TlsModule.install(builder, config)) {
            proxy = ProxyFixture.start(builder);
            httpsPort = proxy.proxy().httpsAddress().getPort();
            pebble = new PebbleServer(dir, pebblePorts, proxy.http().getPort(), httpsPort, pebbleCa.ca());
            module.started();

            await().atMost(Duration.ofSeconds(90)).until(() -> module.tls().contextFor("www.example.org") != null
                    && module.tls().contextFor("shop.example.com") != null);
            X509Certificate root = pebble.issuingRoot();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try {
                for (String name : List.of("shop.example.com", "example.org", "www.example.org")) {
                    assertThat(handshake(group, httpsPort, name, root, "h2", "http/1.1")).isEqualTo("h2");
                }
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
            String certs = proxy.admin("/certs").body();
            assertThat(certs).contains("\"names\":[\"shop.example.com\"]", "\"last_error\":null",
                    "\"next_renewal\":\"");
        }
    }

    @Test
    void dns01ThroughChalltestsrvGivesAWildcardCertificate() throws Exception {
        startAll("*.wild.example.com", "wild.example.com");
        acme.withDns(new ChallTestSrvDns(java.net.URI.create("http://127.0.0.1:" + pebble.challtestPort)));
        X509Certificate leaf = acme.obtain().get(120, TimeUnit.SECONDS);
        assertThat(sanNames(leaf)).containsExactlyInAnyOrder("*.wild.example.com", "wild.example.com");
        assertThat(Files.exists(dir.resolve("acme/certificates/_wildcard.wild.example.com/fullchain.pem"))).isTrue();

        X509Certificate root = pebble.issuingRoot();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            for (String name : List.of("shop.wild.example.com", "api.wild.example.com", "wild.example.com")) {
                assertThat(handshake(group, httpsPort, name, root, "h2", "http/1.1")).isEqualTo("h2");
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        // A wildcard covers one label only.
        assertThat(tls.contextFor("a.b.wild.example.com")).isNull();
    }

    @Test
    void externalAccountBindingIsSentWhenTheServerRequiresIt() throws Exception {
        eabKeyId = "kid-hecate";
        byte[] mac = new byte[32];
        new java.security.SecureRandom().nextBytes(mac);
        eabHmacKey = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
        startAll("eab.example.com");

        assertThat(acme.obtain()).failsWithin(Duration.ofSeconds(60))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("externalAccountBinding");
        assertThat(acme.lastError()).contains("externalAccountBinding");

        acme.withExternalAccount(eabKeyId, eabHmacKey);
        X509Certificate leaf = acme.obtain().get(90, TimeUnit.SECONDS);
        assertThat(sanNames(leaf)).containsExactly("eab.example.com");
        assertThat(acme.lastError()).isNull();
    }

    @Test
    void tlsAlpn01IsAnsweredOnTheHttpsListenerForAcmeTls1Only() throws Exception {
        startAll("alpn.example.com");
        acme.withTlsAlpn();
        X509Certificate leaf = acme.obtain().get(120, TimeUnit.SECONDS);
        assertThat(sanNames(leaf)).containsExactly("alpn.example.com");
        assertThat(tls.alpnChallengesAnswered()).as("validation handshakes for acme-tls/1").isPositive();

        X509Certificate root = pebble.issuingRoot();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertThat(handshake(group, httpsPort, "alpn.example.com", root, "h2", "http/1.1")).isEqualTo("h2");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        // No challenge pending: acme-tls/1 gets no certificate at all.
        assertThat(tls.contextFor("alpn.example.com", List.of("acme-tls/1"))).isNull();
        assertThat(tls.contextFor("alpn.example.com", List.of("h2"))).isNotNull();
    }

    @Test
    void wildcardByDns01FromTheConfigFile() throws Exception {
        assertThat(PebbleServer.installed()).as("pebble installed (.ci/run installs it)").isTrue();
        int[] pebblePorts = PebbleServer.freePorts();
        io.hecate.core.testing.TestPki pebbleCa = io.hecate.core.testing.TestPki.create();
        Path caFile = Files.writeString(dir.resolve("acme-server-ca.pem"),
                StaticCertificatesTest.chainPem(pebbleCa.ca()));
        Path file = Files.writeString(dir.resolve("hecate.yaml"), """
                listen: { http: "127.0.0.1:0", https: "127.0.0.1:0" }
                admin: { listen: "127.0.0.1:0" }
                access_log: { output: off }
                tls:
                  acme:
                    directory: %s
                    agree_to_terms: true
                    storage: %s
                    domains: [["*.cfg.example.com", cfg.example.com]]
                    trusted_roots: ["%s"]
                    dns: { provider: challtestsrv, url: "http://127.0.0.1:%d" }
                routes:
                  - id: hello
                    respond: { body: "hello" }
                """.formatted(PebbleServer.directory(pebblePorts), dir.resolve("acme"), caFile, pebblePorts[3]));
        ProxyConfig config = new io.hecate.core.config.YamlConfigFile(file).load();
        Hecate.Builder builder = Hecate.builder().config(config);
        try (TlsModule module = TlsModule.install(builder, config)) {
            proxy = ProxyFixture.start(builder);
            httpsPort = proxy.proxy().httpsAddress().getPort();
            pebble = new PebbleServer(dir, pebblePorts, proxy.http().getPort(), httpsPort, pebbleCa.ca());
            module.started();

            await().atMost(Duration.ofSeconds(90)).until(() -> module.tls().contextFor("any.cfg.example.com") != null);
            X509Certificate root = pebble.issuingRoot();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            try {
                assertThat(handshake(group, httpsPort, "any.cfg.example.com", root, "http/1.1")).isEqualTo("http/1.1");
                assertThat(handshake(group, httpsPort, "cfg.example.com", root, "h2", "http/1.1")).isEqualTo("h2");
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        }
    }

    @Test
    void aRefusedChallengeIsAClearErrorAndHecateKeepsServing() throws Exception {
        answerChallenges = false;
        startAll("refused.example.com");

        assertThat(acme.obtain()).failsWithin(Duration.ofSeconds(90))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("HTTP-01 for refused.example.com ended INVALID");
        assertThat(acme.lastError()).contains("HTTP-01 for refused.example.com ended INVALID", "did not match");
        assertThat(proxy.admin("/certs").body()).contains("\"names\":[\"refused.example.com\"]",
                "\"last_error\":\"HTTP-01 for refused.example.com ended INVALID");
        assertThat(proxy.get("/").statusCode()).isEqualTo(200);
    }

    private static List<String> sanNames(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString()).toList();
    }

    /**
     * A TLS client that sends {@code name} by SNI, verifies the chain against {@code root} and the
     * name against the certificate, and offers {@code protocols} by ALPN; returns the protocol chosen.
     */
    static String handshake(EventLoopGroup group, int port, String name, X509Certificate root,
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
            assertThat(served.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString())
                    .anyMatch(san -> san.equals(name) || san.startsWith("*.") && name.endsWith(san.substring(1))
                            && name.indexOf('.') == name.length() - san.length() + 1)).as("%s covered", name).isTrue();
            return handler[0].applicationProtocol();
        } finally {
            channel.close().sync();
        }
    }
}
