package io.hecate.auth;

import io.hecate.auth.testing.AuthentikOutpostDouble;
import io.hecate.core.testing.LeakWatcher;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawBackend;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.hecate.auth.testing.AuthProxies.get;
import static io.hecate.auth.testing.AuthProxies.guarded;
import static org.assertj.core.api.Assertions.assertThat;

/** The generic {@code forward} filter, against the outpost double and against broken auth services. */
class ForwardAuthTest {

    private static LeakWatcher leaks;

    @AutoClose
    private AuthentikOutpostDouble outpost;
    @AutoClose
    private TestBackend backend;
    @AutoClose
    private RawBackend raw;
    @AutoClose
    private ProxyFixture proxy;
    private final AuthMetrics metrics = new AuthMetrics();

    @BeforeAll
    static void watchLeaks() {
        leaks = LeakWatcher.install();
    }

    @AfterAll
    static void noLeaks() {
        try {
            assertThat(leaks.collect()).as("Netty leak reports").isEmpty();
        } finally {
            leaks.close();
        }
    }

    @BeforeEach
    void startServers() throws Exception {
        outpost = AuthentikOutpostDouble.start();
        backend = TestBackend.start();
    }

    private void startProxy(String url, Object... pairs) throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("url", url);
        for (int i = 0; i < pairs.length; i += 2) {
            settings.put((String) pairs[i], pairs[i + 1]);
        }
        proxy = guarded(new ForwardAuthFilterFactory(metrics), settings, backend);
    }

    @Test
    void copiesOnlyTheConfiguredHeadersAndStripsThemAndTheStripListFromClients() throws Exception {
        startProxy(outpost.url() + "/outpost.goauthentik.io/auth/caddy",
                "copy_headers", List.of("X-authentik-username", "X-authentik-email"),
                "strip_headers", List.of("X-Remote-*"));
        HttpResponse<String> response = get(proxy, "/x", "Cookie", outpost.signIn(AuthentikOutpostDouble.DEFAULT_USER),
                "X-authentik-username", "mallory", "X-Remote-User", "mallory", "X-Remote-Groups", "admins");
        assertThat(response.statusCode()).isEqualTo(200);
        TestBackend.Recorded seen = backend.lastRecorded();
        assertThat(seen.header("X-authentik-username")).isEqualTo("akadmin");
        assertThat(seen.header("X-authentik-email")).isEqualTo("admin@example.test");
        assertThat(seen.header("X-authentik-groups")).as("not in copy_headers").isNull();
        assertThat(seen.header("X-Remote-User")).isNull();
        assertThat(seen.header("X-Remote-Groups")).isNull();
        assertThat(seen.header("Authorization")).isNull();

        AuthentikOutpostDouble.Recorded asked = outpost.lastRecorded();
        assertThat(asked.header("Host")).as("pass_host is off: the service's own authority").isEqualTo("127.0.0.1:" + outpost.port());
        assertThat(asked.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + proxy.http().getPort());
        assertThat(asked.header("X-Forwarded-Uri")).isEqualTo("/x");
    }

    @Test
    void anUnauthorizedRedirectTurnsA401IntoA302WithTheOriginalUrl() throws Exception {
        startProxy(outpost.url() + "/outpost.goauthentik.io/auth/nginx", "mode", "nginx",
                "unauthorized_redirect", "https://login.example.test/?next={url}");
        HttpResponse<String> response = get(proxy, "/a b?c=d".replace(" ", "%20"));
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValue("https://login.example.test/?next=http%3A%2F%2F127.0.0.1%3A"
                + proxy.http().getPort() + "%2Fa%2520b%3Fc%3Dd");
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void withoutAnUnauthorizedRedirectThe401GoesBackUnchanged() throws Exception {
        startProxy(outpost.url() + "/outpost.goauthentik.io/auth/nginx", "mode", "nginx");
        HttpResponse<String> response = get(proxy, "/x");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("Unauthorized");
        assertThat(response.headers().allValues("Set-Cookie")).containsExactly(outpost.lastSetCookie());
    }

    @Test
    void anyOtherStatusGoesBackWithItsHeadersAndBody() throws Exception {
        raw = RawBackend.start(conn -> {
            conn.readRequest();
            conn.write("HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nX-Reason: nope\r\nSet-Cookie: a=1\r\n"
                    + "Set-Cookie: b=2\r\nContent-Length: 11\r\n\r\n<b>nope</b>");
        });
        startProxy("http://" + raw.address() + "/verify?app=1");
        HttpResponse<String> response = get(proxy, "/x");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("<b>nope</b>");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html");
        assertThat(response.headers().firstValue("X-Reason")).hasValue("nope");
        assertThat(response.headers().allValues("Set-Cookie")).containsExactly("a=1", "b=2");
        assertThat(backend.requestCount()).isZero();
        assertThat(metrics.decisions("app", "denied")).isEqualTo(1);
    }

    @Test
    void garbageFromTheAuthServiceIs502NamingIt() throws Exception {
        raw = RawBackend.start(conn -> {
            conn.readRequest();
            conn.write("HELLO THERE\r\n\r\n");
        });
        startProxy("http://" + raw.address() + "/verify");
        HttpResponse<String> response = get(proxy, "/x");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).startsWith("502 Bad Gateway: auth service http://" + raw.address()
                + " answered with an invalid HTTP response");
        assertThat(backend.requestCount()).isZero();
        assertThat(metrics.decisions("app", "invalid")).isEqualTo(1);
    }

    @Test
    void anAuthServiceThatClosesWithoutAnsweringIs502() throws Exception {
        raw = RawBackend.start(conn -> conn.readRequest());
        startProxy("http://" + raw.address() + "/verify");
        HttpResponse<String> response = get(proxy, "/x");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).isEqualTo("502 Bad Gateway: auth service http://" + raw.address()
                + " closed the connection without answering\n");
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void anAuthServiceAnsweringWithAHugeBodyIs502() throws Exception {
        raw = RawBackend.start(conn -> {
            conn.readRequest();
            conn.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 200000\r\n\r\n" + "x".repeat(200_000));
        });
        startProxy("http://" + raw.address() + "/verify");
        HttpResponse<String> response = get(proxy, "/x");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("body larger than 64 KiB");
    }

    @Test
    void anAuthHostNameIsResolvedWithoutBlocking() throws Exception {
        // "localhost" comes from the hosts file: Netty's resolver answers it without a DNS query (loopback only).
        startProxy("http://localhost:" + outpost.port() + "/outpost.goauthentik.io/auth/caddy",
                "copy_headers", List.of("X-authentik-username"));
        HttpResponse<String> response = get(proxy, "/x", "Cookie", outpost.signIn(AuthentikOutpostDouble.DEFAULT_USER));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().header("X-authentik-username")).isEqualTo("akadmin");
    }

    @Test
    void pooledConnectionsAreReused() throws Exception {
        startProxy(outpost.url() + "/outpost.goauthentik.io/auth/caddy", "copy_headers", List.of("X-authentik-username"));
        String cookie = outpost.signIn(AuthentikOutpostDouble.DEFAULT_USER);
        for (int i = 0; i < 10; i++) {
            assertThat(get(proxy, "/x", "Cookie", cookie).statusCode()).isEqualTo(200);
        }
        assertThat(outpost.authCalls()).isEqualTo(10);
        long connections = outpost.recorded().stream().map(AuthentikOutpostDouble.Recorded::remotePort).distinct().count();
        assertThat(connections).as("sequential checks from one client connection share a pooled connection").isEqualTo(1);
    }
}
