package io.hecate.core.protect;

import com.sun.net.httpserver.HttpServer;
import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.YamlConfigFile;
import io.hecate.core.testing.ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A route's {@code security_headers} policy on every response of the route: proxied ones (with
 * the upstream's server-identifying headers removed and its own values replaced, or kept with
 * {@code override: false}) and Hecate's own (respond, redirect, rate limit and circuit refusals).
 * HSTS only goes out on HTTPS, as a trusted proxy in front may tell.
 */
class SecurityHeadersTest {

    @TempDir
    Path dir;
    @AutoClose
    private ProxyFixture proxy;
    private HttpServer backend;

    @AfterEach
    void stopBackend() {
        if (backend != null) {
            backend.stop(0);
        }
    }

    /** An origin that identifies itself and sends security headers of its own, HSTS included. */
    private String chattyBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        backend.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Server", "backend/1.0");
            exchange.getResponseHeaders().set("X-Powered-By", "PHP/8.3");
            exchange.getResponseHeaders().set("X-Frame-Options", "SAMEORIGIN");
            exchange.getResponseHeaders().set("Strict-Transport-Security", "max-age=60");
            byte[] body = "hello".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        return "127.0.0.1:" + backend.getAddress().getPort();
    }

    private void start(String upstreamAddress, String routes) throws Exception {
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, """
                listen: { http: "127.0.0.1:0", trusted_proxies: ["127.0.0.1"] }
                admin: { listen: "127.0.0.1:0" }
                access_log: { output: "off" }
                upstreams:
                  app:
                    targets: ["%s"]
                    circuit_breaker: { window: 2, minimum_calls: 2, open_for: 1m }
                routes:
                %s
                """.formatted(upstreamAddress, routes.indent(2)));
        proxy = ProxyFixture.start(Hecate.builder().source(new YamlConfigFile(file)));
    }

    private static final String POLICY = """
            security_headers:
              hsts: "max-age=31536000; includeSubDomains"
              content_type_options: nosniff
              frame_options: DENY
              referrer_policy: no-referrer
              content_security_policy: "default-src 'self'"
              permissions_policy: "geolocation=()"
              remove: [Server, X-Powered-By]
            """;

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return ProxyFixture.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertPolicy(HttpHeaders headers) {
        assertThat(headers.firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(headers.allValues("X-Frame-Options")).containsExactly("DENY");
        assertThat(headers.firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(headers.firstValue("Content-Security-Policy")).hasValue("default-src 'self'");
        assertThat(headers.firstValue("Permissions-Policy")).hasValue("geolocation=()");
        assertThat(headers.firstValue("Server")).isEmpty();
        assertThat(headers.firstValue("X-Powered-By")).isEmpty();
    }

    @Test
    void proxiedResponsesGetThePolicyAndLoseTheServerHeadersAndHstsOnlyGoesOutOverHttps() throws Exception {
        start(chattyBackend(), """
                - id: app
                  match: { path_prefix: "/" }
                  proxy: { upstream: app }
                """ + POLICY.indent(2));
        HttpResponse<String> plain = get("/page");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).isEqualTo("hello");
        assertPolicy(plain.headers());
        assertThat(plain.headers().firstValue("Strict-Transport-Security")).as("never over plain HTTP").isEmpty();

        HttpResponse<String> behindTls = get("/page", "X-Forwarded-Proto", "https");
        assertPolicy(behindTls.headers());
        assertThat(behindTls.headers().allValues("Strict-Transport-Security"))
                .containsExactly("max-age=31536000; includeSubDomains");
    }

    @Test
    void responsesOfHecateItselfGetThePolicyToo() throws Exception {
        start(chattyBackend(), """
                - id: static
                  match: { path: "/static" }
                  respond: { status: 200, body: "static" }
                """ + POLICY.indent(2) + """
                - id: moved
                  match: { path: "/moved" }
                  redirect: { location: "/static" }
                """ + POLICY.indent(2) + """
                - id: limited
                  match: { path: "/limited" }
                  proxy: { upstream: app }
                  filters:
                    - { type: rate_limit, key: route, requests: 1, per: 1h }
                """ + POLICY.indent(2));
        HttpResponse<String> local = get("/static");
        assertThat(local.body()).isEqualTo("static");
        assertPolicy(local.headers());
        HttpResponse<String> redirect = get("/moved");
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertPolicy(redirect.headers());
        assertThat(get("/limited").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = get("/limited", "X-Forwarded-Proto", "https");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertPolicy(refused.headers());
        assertThat(refused.headers().firstValue("Strict-Transport-Security")).isPresent();
        // A route without a policy is left alone.
        assertThat(get("/nowhere").headers().firstValue("X-Content-Type-Options")).isEmpty();
    }

    @Test
    void withoutOverrideTheUpstreamsOwnValuesStayAndRecommendedIsAShorthand() throws Exception {
        start(chattyBackend(), """
                - id: keep
                  match: { path: "/keep" }
                  proxy: { upstream: app }
                  security_headers: { frame_options: DENY, content_type_options: nosniff, override: false }
                - id: recommended
                  match: { path: "/recommended" }
                  proxy: { upstream: app }
                  security_headers: recommended
                """);
        HttpResponse<String> kept = get("/keep");
        assertThat(kept.headers().allValues("X-Frame-Options")).containsExactly("SAMEORIGIN");
        assertThat(kept.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(kept.headers().firstValue("Server")).hasValue("backend/1.0");

        HttpResponse<String> recommended = get("/recommended", "X-Forwarded-Proto", "https");
        assertThat(recommended.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000; includeSubDomains");
        assertThat(recommended.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(recommended.headers().allValues("X-Frame-Options")).containsExactly("SAMEORIGIN");
        assertThat(recommended.headers().firstValue("Referrer-Policy")).hasValue("strict-origin-when-cross-origin");
        assertThat(recommended.headers().firstValue("Server")).isEmpty();
        assertThat(recommended.headers().firstValue("X-Powered-By")).isEmpty();
        assertThat(proxy.admin("/config").body()).contains("\"security_headers\"", "\"frame_options\" : \"DENY\"");
    }

    @Test
    void mistakesAreReportedAtTheirKeys() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                routes:
                  - respond: { status: 200 }
                    security_headers:
                      hsts: includeSubDomains
                      frame_options: ALLOWALL
                      remove: [Content-Length, "bad name"]
                      colour: red
                  - respond: { status: 200 }
                    security_headers: strict
                """);
        assertThatThrownBy(() -> new YamlConfigFile(file).load())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(":4: routes[0].security_headers.hsts: must contain max-age=SECONDS")
                .hasMessageContaining(":5: routes[0].security_headers.frame_options: must be DENY or SAMEORIGIN, got \"ALLOWALL\"")
                .hasMessageContaining("routes[0].security_headers.remove[0]: \"Content-Length\" frames the message")
                .hasMessageContaining("routes[0].security_headers.remove[1]: \"bad name\" is not a valid header name")
                .hasMessageContaining(":7: routes[0].security_headers.colour: unknown key")
                .hasMessageContaining(":9: routes[1].security_headers: expected a mapping or recommended, got \"strict\"");
    }
}
