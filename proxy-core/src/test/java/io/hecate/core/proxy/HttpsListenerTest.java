package io.hecate.core.proxy;

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
import io.hecate.core.tls.TlsContextProvider;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTPS listener: SNI asks the {@link TlsContextProvider} for the context, ALPN picks HTTP/2 or
 * HTTP/1.1, and the request goes through the same routing as cleartext, with scheme {@code https}.
 */
class HttpsListenerTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;

    private TestPki pki;
    private Map<String, SslContext> contexts;

    @BeforeEach
    void certificates() throws Exception {
        pki = TestPki.create();
        contexts = Map.of(
                "a.test", context(pki.ecdsa("a.test")),
                "b.test", context(pki.rsa("b.test")));
    }

    private static SslContext context(X509Bundle bundle) throws SSLException {
        return SslContextBuilder.forServer(bundle.getKeyPair().getPrivate(), bundle.getCertificatePath())
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    /** Known names get their context; no SNI gets a.test's; unknown names are refused. */
    private SslContext lookup(String name) {
        return name == null ? contexts.get("a.test") : contexts.get(name);
    }

    private ProxyConfig httpsConfig() {
        ProxyConfig base = ProxyFixture.oneRoute(UpstreamConfig.of(backend.address()));
        return ProxyFixture.baseConfig()
                .listen(base.listen().withHttps(new ListenAddress("127.0.0.1", 0)))
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build();
    }

    private ProxyFixture startHttps() throws ConfigException {
        return ProxyFixture.start(Hecate.builder().config(httpsConfig()).tls(this::lookup));
    }

    private URI https(String path) {
        return URI.create("https://127.0.0.1:" + proxy.proxy().httpsAddress().getPort() + path);
    }

    @Test
    void alpnNegotiatesHttp2AndHttp11AndTheBackendLearnsTheSchemeIsHttps() throws Exception {
        backend = TestBackend.start();
        proxy = startHttps();

        HttpResponse<String> h2 = pki.client(HttpClient.Version.HTTP_2, "a.test")
                .send(HttpRequest.newBuilder(https("/over-h2")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(h2.statusCode()).isEqualTo(200);
        assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(backend.lastRecorded().uri()).isEqualTo("/over-h2");
        assertThat(backend.lastRecorded().header("x-forwarded-proto")).isEqualTo("https");

        HttpResponse<String> h1 = pki.client(HttpClient.Version.HTTP_1_1, "a.test")
                .send(HttpRequest.newBuilder(https("/over-h1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(h1.statusCode()).isEqualTo(200);
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(backend.lastRecorded().uri()).isEqualTo("/over-h1");
        assertThat(backend.lastRecorded().header("x-forwarded-proto")).isEqualTo("https");

        // The cleartext listener still serves, and says http.
        assertThat(proxy.get("/plain").statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().header("x-forwarded-proto")).isEqualTo("http");
    }

    @Test
    void sniPicksTheCertificateAndAnUnknownNameIsRefused() throws Exception {
        backend = TestBackend.start();
        proxy = startHttps();

        HttpResponse<String> a = pki.client(HttpClient.Version.HTTP_1_1, "a.test")
                .send(HttpRequest.newBuilder(https("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(TestPki.servedName(a.sslSession())).isEqualTo("a.test");

        HttpResponse<String> b = pki.client(HttpClient.Version.HTTP_2, "b.test")
                .send(HttpRequest.newBuilder(https("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(TestPki.servedName(b.sslSession())).isEqualTo("b.test");
        assertThat(b.version()).isEqualTo(HttpClient.Version.HTTP_2);

        HttpResponse<String> none = pki.client(HttpClient.Version.HTTP_1_1, null)
                .send(HttpRequest.newBuilder(https("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(TestPki.servedName(none.sslSession())).isEqualTo("a.test");

        HttpClient unknown = pki.client(HttpClient.Version.HTTP_1_1, "nobody.test");
        assertThatThrownBy(() -> unknown.send(HttpRequest.newBuilder(https("/")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);

        // The refused handshake left the listener serving.
        HttpResponse<String> again = pki.client(HttpClient.Version.HTTP_1_1, "a.test")
                .send(HttpRequest.newBuilder(https("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(200);
    }

    @Test
    void theProviderPreparesEachEngineAndAFailureRefusesOnlyThatConnection() throws Exception {
        backend = TestBackend.start();
        List<String> prepared = new CopyOnWriteArrayList<>();
        TlsContextProvider provider = new TlsContextProvider() {
            @Override
            public SslContext contextFor(String serverName) {
                return lookup(serverName);
            }

            @Override
            public void prepare(SSLEngine engine, SslContext context, String serverName) {
                if ("b.test".equals(serverName)) {
                    throw new IllegalStateException("refused by prepare");
                }
                // The engine is the server side of the context the provider chose, not yet handshaking.
                assertThat(engine.getUseClientMode()).isFalse();
                assertThat(engine.getHandshakeStatus()).isEqualTo(SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING);
                prepared.add(serverName + (context == contexts.get(serverName) ? " same context" : " other context"));
            }
        };
        proxy = ProxyFixture.start(Hecate.builder().config(httpsConfig()).tls(provider));

        HttpResponse<String> a = pki.client(HttpClient.Version.HTTP_1_1, "a.test")
                .send(HttpRequest.newBuilder(https("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(a.statusCode()).isEqualTo(200);
        assertThat(prepared).containsExactly("a.test same context");

        HttpClient refused = pki.client(HttpClient.Version.HTTP_1_1, "b.test");
        assertThatThrownBy(() -> refused.send(HttpRequest.newBuilder(https("/")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThat(pki.client(HttpClient.Version.HTTP_2, "a.test")
                .send(HttpRequest.newBuilder(https("/")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
    }

    @Test
    void aRedirectToHttpsLimitedToTheHttpListenerDoesNotLoop() throws Exception {
        backend = TestBackend.start();
        ProxyConfig config = ProxyFixture.baseConfig()
                .listen(httpsConfig().listen())
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("to-https", MatchConfig.prefix("/").withScheme("http"),
                        new io.hecate.core.config.RedirectAction(308, "https://{host}{uri}")))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build();
        proxy = ProxyFixture.start(Hecate.builder().config(config).tls(this::lookup));

        try (io.hecate.core.testing.RawClient client = proxy.raw()) {
            io.hecate.core.testing.RawResponse plain = client
                    .send("GET /shop?x=1 HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n").readResponse();
            assertThat(plain.status()).isEqualTo(308);
            assertThat(plain.header("location")).isEqualTo("https://a.test/shop?x=1");
        }
        assertThat(backend.requestCount()).isZero();

        HttpResponse<String> secure = pki.client(HttpClient.Version.HTTP_2, "a.test")
                .send(HttpRequest.newBuilder(https("/shop?x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(secure.statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().uri()).isEqualTo("/shop?x=1");
    }

    @Test
    void anHttpsListenerWithoutCertificatesIsAConfigError() throws Exception {
        backend = TestBackend.start();
        assertThatThrownBy(() -> Hecate.builder().config(httpsConfig()).workerThreads(1).start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen.https");
    }

    @Test
    void theHttpsListenerCanBeAddedByAReload() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.start(Hecate.builder().config(ProxyFixture.oneRoute(UpstreamConfig.of(backend.address())))
                .tls(this::lookup));
        assertThat(proxy.proxy().httpsAddress()).isNull();

        proxy.proxy().apply(httpsConfig());

        HttpResponse<String> response = pki.client(HttpClient.Version.HTTP_2, "b.test")
                .send(HttpRequest.newBuilder(https("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(TestPki.servedName(response.sslSession())).isEqualTo("b.test");
    }
}
