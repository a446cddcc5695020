package io.hecate.core.protect;

import io.hecate.core.Hecate;
import io.hecate.core.config.YamlConfigFile;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code scope: cluster} against a real redis-server: two Hecate nodes sharing one Redis enforce
 * one combined limit; with Redis killed both keep serving, each under its own local limit, say so
 * in their metrics and never wait long for the dead Redis.
 */
class ClusterRateLimitTest {

    @TempDir
    Path dir;
    @AutoClose
    private RedisServer redis;
    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture nodeA;
    @AutoClose
    private ProxyFixture nodeB;

    private ProxyFixture node(String name) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                listen: { http: "127.0.0.1:0" }
                admin: { listen: "127.0.0.1:0" }
                access_log: { output: "off" }
                upstreams:
                  app: { targets: ["%s"] }
                routes:
                  - id: api
                    proxy: { upstream: app }
                    filters:
                      - type: rate_limit
                        key: route
                        requests: 10
                        per: 1h
                        scope: cluster
                        redis: { address: "%s", timeout: 200ms, retry_interval: 500ms }
                """.formatted(backend.address(), redis.address()));
        return ProxyFixture.start(Hecate.builder().source(new YamlConfigFile(file)));
    }

    private static int status(ProxyFixture node) throws Exception {
        return ProxyFixture.HTTP.send(HttpRequest.newBuilder(node.uri("/ok")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static long redisUp(ProxyFixture node, String address) {
        return node.metricOrZero("hecate_rate_limit_redis_up", "redis", address);
    }

    private static long fallbacks(ProxyFixture node) {
        return node.metricOrZero("hecate_rate_limit_fallback_total", "route", "api", "limit", "route");
    }

    @Test
    void twoNodesSharingOneRedisEnforceOneLimitAndKeepServingWithLocalLimitsWhenRedisDies() throws Exception {
        redis = RedisServer.start(dir);
        backend = TestBackend.start();
        nodeA = node("a");
        nodeB = node("b");
        await("both nodes connected to redis").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> redisUp(nodeA, redis.address()) == 1 && redisUp(nodeB, redis.address()) == 1);

        // 12 requests, alternating between the nodes: the one shared bucket of 10 lets 10 through.
        int served = 0;
        int refused = 0;
        for (int i = 0; i < 12; i++) {
            int status = status(i % 2 == 0 ? nodeA : nodeB);
            if (status == 200) {
                served++;
            } else if (status == 429) {
                refused++;
            }
        }
        assertThat(served).isEqualTo(10);
        assertThat(refused).isEqualTo(2);
        assertThat(backend.requestCount()).isEqualTo(10);
        assertThat(fallbacks(nodeA) + fallbacks(nodeB)).isZero();
        // Redis drops the bucket once it would be full again: its memory is bounded too.
        long ttl = Long.parseLong(redis.command("TTL", "hecate:rl:api:route:").substring(1));
        assertThat(ttl).isBetween(1L, 3600L + 10);

        redis.kill();

        // Each node now decides on its own local bucket of the same limit: 10 each, at once.
        for (ProxyFixture node : new ProxyFixture[] {nodeA, nodeB}) {
            int ok = 0;
            int limited = 0;
            for (int i = 0; i < 12; i++) {
                long started = System.nanoTime();
                int status = status(node);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("never waits long for redis")
                        .isLessThan(Duration.ofSeconds(2));
                if (status == 200) {
                    ok++;
                } else {
                    assertThat(status).isEqualTo(429);
                    limited++;
                }
            }
            assertThat(ok).isEqualTo(10);
            assertThat(limited).isEqualTo(2);
            assertThat(fallbacks(node)).isEqualTo(12);
            assertThat(redisUp(node, redis.address())).isZero();
        }
        assertThat(backend.requestCount()).isEqualTo(30);
    }

    @Test
    void aRedisThatComesBackIsSharedAgain() throws Exception {
        redis = RedisServer.start(dir);
        backend = TestBackend.start();
        nodeA = node("a");
        String address = redis.address();
        await("connected").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> redisUp(nodeA, address) == 1);
        assertThat(status(nodeA)).isEqualTo(200);

        int port = redis.port();
        redis.kill();
        assertThat(status(nodeA)).isEqualTo(200);
        assertThat(fallbacks(nodeA)).isEqualTo(1);

        redis = RedisServer.start(dir, port);
        // Lettuce reconnects in the background (at most 5 s apart); then Redis decides again.
        await("redis used again").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> status(nodeA) == 200 && redisUp(nodeA, address) == 1);
        long fallbacksBefore = fallbacks(nodeA);
        for (int i = 0; i < 3; i++) {
            assertThat(status(nodeA)).isEqualTo(200);
        }
        assertThat(fallbacks(nodeA)).isEqualTo(fallbacksBefore);
        // The restarted Redis is empty: the bucket there is new, with this request and the three above.
        assertThat(redis.command("EXISTS", "hecate:rl:api:route:")).isEqualTo(":1");
    }
}
