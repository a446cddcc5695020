package io.hecate.auth;

import io.hecate.auth.internal.HeaderPatterns;
import io.hecate.auth.internal.PercentEncoding;
import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.filter.RouteFilterFactory;
import io.hecate.core.testing.ProxyFixture;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad settings are configuration errors naming the key; the factories are found by ServiceLoader. */
class FilterSettingsTest {

    private static final String HASH = at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "pw".toCharArray());

    private static String problem(RouteFilterFactory factory, Map<String, Object> settings) {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> {
            try (Hecate ignored = Hecate.builder().filter(factory).config(ProxyFixture.baseConfig()
                    .upstream("app", UpstreamConfig.of("127.0.0.1:9"))
                    .route(new RouteConfig("app", MatchConfig.prefix("/"), ProxyAction.to("app"),
                            List.of(new FilterConfig(factory.type(), settings))))
                    .build()).workerThreads(1).start()) {
                // started: no problem found
            }
        });
        return e.getMessage();
    }

    @Test
    void forwardSettingsAreChecked() {
        ForwardAuthFilterFactory f = new ForwardAuthFilterFactory(new AuthMetrics());
        assertThat(problem(f, Map.of())).contains("routes[0].filters[0]: url: required");
        assertThat(problem(f, Map.of("url", "https://auth:9091/verify"))).contains("url: \"https://auth:9091/verify\": https is not supported");
        assertThat(problem(f, Map.of("url", "auth:9091/verify"))).contains("url: expected an absolute URL");
        assertThat(problem(f, Map.of("url", "http://auth/v", "timout", "1s"))).contains("timout: unknown setting (expected one of: url, mode");
        assertThat(problem(f, Map.of("url", "http://auth/v", "timeout", "5"))).contains("timeout: expected a duration like 30s or 250ms, got \"5\" (a unit is required)");
        assertThat(problem(f, Map.of("url", "http://auth/v", "timeout", 5))).contains("timeout: expected a duration like 30s or 250ms, got 5 (a unit is required)");
        assertThat(problem(f, Map.of("url", "http://auth/v", "mode", "apache"))).contains("mode: expected nginx, caddy or traefik");
        assertThat(problem(f, Map.of("url", "http://auth/v", "copy_headers", List.of("Remote User")))).contains("copy_headers[0]: \"Remote User\" is not a header name");
        assertThat(problem(f, Map.of("url", "http://auth/v", "circuit_breaker", Map.of("window", 5, "minimum_calls", 9))))
                .contains("circuit_breaker.minimum_calls: must not be larger than window (5)");
        assertThat(problem(f, Map.of("url", "http://auth/v", "circuit_breaker", Map.of("open", "1s"))))
                .contains("circuit_breaker.open: unknown setting");
    }

    @Test
    void authentikSettingsAreChecked() {
        AuthentikFilterFactory f = new AuthentikFilterFactory(new AuthMetrics());
        assertThat(problem(f, Map.of())).contains("routes[0].filters[0]: outpost: required");
        assertThat(problem(f, Map.of("outpost", "http://outpost:9000/outpost.goauthentik.io/auth/nginx")))
                .contains("outpost: expected the outpost's base URL without a path");
        assertThat(problem(f, Map.of("outpost", "http://outpost:9000", "mode", "envoy"))).contains("mode: expected nginx, caddy or traefik");
        assertThat(problem(f, Map.of("outpost", "http://outpost:9000", "url", "http://x"))).contains("url: unknown setting");
    }

    @Test
    void basicSettingsAreChecked() {
        BasicAuthFilterFactory f = new BasicAuthFilterFactory(new AuthMetrics());
        assertThat(problem(f, Map.of())).contains("users: required");
        assertThat(problem(f, Map.of("users", Map.of("alice", "plain-text")))).contains("users.alice: expected a bcrypt hash");
        assertThat(problem(f, Map.of("users", Map.of("a:b", HASH)))).contains("users.a:b: a user name must be non-empty and without ':'");
        assertThat(problem(f, Map.of("users", Map.of("alice", HASH), "user_header", "X User"))).contains("user_header: \"X User\" is not a header name");
    }

    @Test
    void ipSettingsAreChecked() {
        IpFilterFactory f = new IpFilterFactory(new AuthMetrics());
        assertThat(problem(f, Map.of())).contains("allow: give allow, deny or both");
        assertThat(problem(f, Map.of("allow", List.of("10.0.0.0/8", "example.com")))).contains("allow[1]: \"example.com\" is not an IP address");
        assertThat(problem(f, Map.of("deny", "10.0.0.0/8"))).contains("deny: expected a list of strings");
    }

    @Test
    void everyFactoryIsFoundByServiceLoader() {
        List<String> types = ServiceLoader.load(RouteFilterFactory.class).stream()
                .map(provider -> provider.get().type()).toList();
        assertThat(types).contains("forward", "authentik", "basic", "ip");
    }

    @Test
    void headerPatternsMatchExactNamesAndPrefixesIgnoringCase() {
        HeaderPatterns patterns = HeaderPatterns.of(List.of("X-authentik-*", "Authorization"), "copy");
        HttpHeaders headers = new DefaultHttpHeaders().add("x-AUTHENTIK-uid", "1").add("authorization", "b")
                .add("X-Authentik", "kept").add("Cookie", "c");
        patterns.removeFrom(headers);
        assertThat(headers.names()).containsExactlyInAnyOrder("X-Authentik", "Cookie");
        assertThatThrownBy(() -> HeaderPatterns.of(List.of("*"), "strip_headers")).hasMessageContaining("strip_headers[0]");
    }

    @Test
    void percentEncodingKeepsOnlyUnreservedCharacters() {
        assertThat(PercentEncoding.encode("https://h:8/p a?q=1&r=é~*"))
                .isEqualTo("https%3A%2F%2Fh%3A8%2Fp%20a%3Fq%3D1%26r%3D%C3%A9~%2A");
    }
}
