package io.hecate.core.protect;

import io.hecate.core.Hecate;
import io.hecate.core.config.YamlConfigFile;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The built-in {@code rate_limit} filter end to end, configured from YAML with nothing registered
 * by the embedding code: refusals with the draft's fields, refill, keys from X-Forwarded-For of a
 * trusted peer, the bound on buckets, and buckets kept across a reload.
 */
class RateLimitTest {

    @TempDir
    Path dir;
    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;

    private ProxyFixture start(String routeExtras) throws Exception {
        backend = TestBackend.start();
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, """
                listen: { http: "127.0.0.1:0", trusted_proxies: ["127.0.0.1"] }
                admin: { listen: "127.0.0.1:0" }
                access_log: { output: "off" }
                upstreams:
                  app: { targets: ["%s"] }
                routes:
                  - id: api
                    match: { path_prefix: "/" }
                    proxy: { upstream: app }
                %s
                """.formatted(backend.address(), routeExtras.indent(4)));
        proxy = ProxyFixture.start(Hecate.builder().source(new YamlConfigFile(file)));
        return proxy;
    }

    private HttpResponse<String> get(String path, String forwardedFor) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(10));
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        return ProxyFixture.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Six requests pipelined on one connection, from one client address (a fresh one per attempt,
     * through the trusted peer's X-Forwarded-For): when all six are answered within 100 ms (the
     * time one token takes to come back), the sixth must be refused. On a machine so loaded that a
     * burst takes longer, the attempt proves nothing and is made again, at most ten times.
     */
    @Test
    void tenPerSecondWithBurstFiveRefusesTheSixthImmediateRequestWithTheDraftFieldsAndRefills() throws Exception {
        start("""
                filters:
                  - { type: rate_limit, key: client_address, requests: 10, per: 1s, burst: 5 }
                """);
        RawResponse sixth = null;
        String client = null;
        for (int attempt = 0; attempt < 10 && sixth == null; attempt++) {
            client = "203.0.113." + (attempt + 1);
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                burst.append("GET /ok HTTP/1.1\r\nHost: limits.test\r\nX-Forwarded-For: ").append(client).append("\r\n\r\n");
            }
            try (RawClient connection = proxy.raw()) {
                long sent = System.nanoTime();
                connection.send(burst.toString());
                RawResponse[] responses = new RawResponse[6];
                for (int i = 0; i < 6; i++) {
                    responses[i] = connection.readResponse();
                }
                long elapsed = System.nanoTime() - sent;
                for (int i = 0; i < 5; i++) {
                    assertThat(responses[i].status()).as("request %d of %s", i + 1, client).isEqualTo(200);
                }
                if (responses[5].status() == 429 || elapsed < Duration.ofMillis(100).toNanos()) {
                    sixth = responses[5];
                }
            }
        }
        assertThat(sixth).as("a burst of six answered within 100 ms").isNotNull();
        assertThat(sixth.status()).isEqualTo(429);
        assertThat(sixth.header("Retry-After")).isEqualTo("1");
        assertThat(sixth.header("RateLimit-Policy")).isEqualTo("\"client_address\";q=10;w=1;hecate-burst=5");
        assertThat(sixth.header("RateLimit")).isEqualTo("\"client_address\";r=0;t=1");
        assertThat(sixth.bodyText()).startsWith("429 Too Many Requests: rate limit \"client_address\" of route api exceeded");

        // One token comes back every 100 ms.
        String refilled = client;
        await("the bucket refills").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> get("/ok", refilled).statusCode() == 200);
        assertThat(proxy.metricOrZero("hecate_rate_limit_requests_total", "route", "api", "limit", "client_address",
                "result", "allowed")).isGreaterThanOrEqualTo(6);
        assertThat(proxy.metricOrZero("hecate_rate_limit_requests_total", "route", "api", "limit", "client_address",
                "result", "refused")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void withHeadersAlwaysEveryAllowedResponseCarriesTheFields() throws Exception {
        start("""
                filters:
                  - type: rate_limit
                    headers: always
                    limits:
                      - { name: per-client, key: client_address, requests: 100, per: 1h }
                      - { name: whole-route, key: route, requests: 1000, per: 10h }
                """);
        HttpResponse<String> first = get("/ok", null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("ok /ok");
        assertThat(first.headers().firstValue("RateLimit-Policy"))
                .hasValue("\"per-client\";q=100;w=3600, \"whole-route\";q=1000;w=36000");
        // r: tokens left; t: seconds until the bucket is full again (one token per 36 s for both).
        assertThat(first.headers().firstValue("RateLimit")).hasValue("\"per-client\";r=99;t=36, \"whole-route\";r=999;t=36");
        assertThat(get("/ok", null).headers().firstValue("RateLimit"))
                .hasValue("\"per-client\";r=98;t=72, \"whole-route\";r=998;t=72");
    }

    /**
     * The end-to-end sample of the flood: 2,000 distinct client addresses through a trusted peer's
     * X-Forwarded-For, against a limit that keeps at most 500 buckets. Every address is a new
     * client and is served; the node never holds more than 500 buckets; one address that goes on
     * is still limited. (The 100,000-address flood with its heap bound is RateLimiterTest's.)
     */
    @Test
    void aFloodOfDistinctForwardedAddressesKeepsAtMostMaxKeysBucketsAndEachAddressIsStillLimited() throws Exception {
        start("""
                filters:
                  - { type: rate_limit, key: client_address, requests: 3, per: 1m, max_keys: 500 }
                """);
        int served = 0;
        for (int i = 0; i < 2000; i++) {
            String address = "10.7." + (i >> 8) + "." + (i & 0xff);
            if (get("/ok", address).statusCode() == 200) {
                served++;
            }
        }
        assertThat(served).isEqualTo(2000);
        long buckets = proxy.metricOrZero("hecate_rate_limit_buckets", "route", "api", "limit", "client_address");
        assertThat(buckets).isBetween(1L, 500L);
        for (int i = 0; i < 3; i++) {
            assertThat(get("/ok", "198.51.100.9").statusCode()).isEqualTo(200);
        }
        assertThat(get("/ok", "198.51.100.9").statusCode()).isEqualTo(429);
        // The peer itself (127.0.0.1, trusted) is not the key: another forwarded address is served.
        assertThat(get("/ok", "198.51.100.10").statusCode()).isEqualTo(200);
    }

    @Test
    void aReloadThatKeepsTheRouteAndLimitKeepsItsBuckets() throws Exception {
        start("""
                filters:
                  - { type: rate_limit, key: route, requests: 2, per: 1h }
                """);
        assertThat(get("/ok", null).statusCode()).isEqualTo(200);
        assertThat(get("/ok", null).statusCode()).isEqualTo(200);
        assertThat(get("/ok", null).statusCode()).isEqualTo(429);
        Hecate.ReloadResult reload = proxy.proxy().reload();
        assertThat(reload.applied()).isTrue();
        assertThat(get("/ok", null).statusCode()).as("still empty after the reload").isEqualTo(429);
    }

    @Test
    void aBadLimitIsRejectedWithItsPath() throws Exception {
        backend = TestBackend.start();
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                admin: { listen: off }
                upstreams:
                  app: { targets: ["%s"] }
                routes:
                  - proxy: { upstream: app }
                    filters:
                      - { type: rate_limit, limits: [{ requests: 10, per: 250ms }] }
                """.formatted(backend.address()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Hecate.builder().source(new YamlConfigFile(file)).start())
                .hasMessageContaining("routes[0].filters[0]: limits[0].per: must be a whole number of seconds");
    }
}
