package io.hecate.core.internal.limit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.github.bucket4j.TimeMeter;
import io.hecate.core.config.FilterConfig;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rate limiter driven directly, on a clock the test moves: decisions, fields, memory bounds. */
class RateLimiterTest {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimiterTest.class);

    /** A clock that only moves when told. */
    static final class TestClock implements TimeMeter {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }

        void advanceMillis(long millis) {
            nanos.addAndGet(millis * 1_000_000L);
        }
    }

    private final TestClock clock = new TestClock();
    private final LimitMetrics metrics = new LimitMetrics();
    private final RateLimitFilterFactory factory = new RateLimitFilterFactory(metrics, clock);

    private RateLimitFilter filter(Map<String, Object> settings) {
        return factory.create("r", new FilterConfig("rate_limit", settings));
    }

    private static FakeExchange run(RateLimitFilter filter, FakeExchange exchange) {
        filter.onRequest(exchange, exchange);
        assertThat(exchange.decided()).as("decided synchronously").isTrue();
        return exchange;
    }

    @Test
    void tenPerSecondWithBurstFiveRefusesTheSixthImmediateRequestAndRefills() {
        RateLimitFilter filter = filter(Map.of("key", "client_address", "requests", 10, "per", "1s", "burst", 5));
        for (int i = 0; i < 5; i++) {
            assertThat(run(filter, new FakeExchange("192.0.2.1")).proceeded).as("request %d", i + 1).isTrue();
        }
        FakeExchange sixth = run(filter, new FakeExchange("192.0.2.1"));
        assertThat(sixth.proceeded).isFalse();
        assertThat(sixth.status.code()).isEqualTo(429);
        assertThat(sixth.headers.get("Retry-After")).isEqualTo("1");
        assertThat(sixth.headers.get("RateLimit-Policy")).isEqualTo("\"client_address\";q=10;w=1;hecate-burst=5");
        assertThat(sixth.headers.get("RateLimit")).isEqualTo("\"client_address\";r=0;t=1");
        assertThat(sixth.body).contains("rate limit \"client_address\" of route r exceeded", "10 per 1s, burst 5");

        // Another client has a bucket of its own.
        assertThat(run(filter, new FakeExchange("192.0.2.2")).proceeded).isTrue();

        // One token every 100 ms.
        clock.advanceMillis(99);
        assertThat(run(filter, new FakeExchange("192.0.2.1")).proceeded).isFalse();
        clock.advanceMillis(1);
        assertThat(run(filter, new FakeExchange("192.0.2.1")).proceeded).isTrue();
        assertThat(run(filter, new FakeExchange("192.0.2.1")).proceeded).isFalse();
        clock.advanceMillis(500);
        for (int i = 0; i < 5; i++) {
            assertThat(run(filter, new FakeExchange("192.0.2.1")).proceeded).as("after refill %d", i + 1).isTrue();
        }
        LimitMetrics.Counters counters = metrics.counters("r", "client_address");
        assertThat(counters.allowed.sum()).isEqualTo(12);
        assertThat(counters.refused.sum()).isEqualTo(3);
    }

    @Test
    void severalLimitsAreCheckedInOrderAndTheFirstEmptyOneRefuses() {
        RateLimitFilter filter = filter(Map.of("limits", List.of(
                Map.of("name", "per-client", "key", "client_address", "requests", 3, "per", "1m"),
                Map.of("name", "per-route", "key", "route", "requests", 4, "per", "1m"))));
        assertThat(run(filter, new FakeExchange("a")).proceeded).isTrue();
        assertThat(run(filter, new FakeExchange("a")).proceeded).isTrue();
        assertThat(run(filter, new FakeExchange("a")).proceeded).isTrue();
        FakeExchange fourth = run(filter, new FakeExchange("a"));
        assertThat(fourth.status.code()).isEqualTo(429);
        // Refused by the first limit: the route's limit was not charged and is not reported.
        assertThat(fourth.headers.get("RateLimit-Policy")).isEqualTo("\"per-client\";q=3;w=60");
        assertThat(fourth.headers.get("RateLimit")).isEqualTo("\"per-client\";r=0;t=20");
        assertThat(fourth.headers.get("Retry-After")).isEqualTo("20");
        assertThat(run(filter, new FakeExchange("b")).proceeded).isTrue();
        FakeExchange byRoute = run(filter, new FakeExchange("c"));
        assertThat(byRoute.status.code()).isEqualTo(429);
        assertThat(byRoute.headers.get("RateLimit-Policy")).isEqualTo("\"per-client\";q=3;w=60, \"per-route\";q=4;w=60");
        assertThat(byRoute.headers.get("RateLimit")).isEqualTo("\"per-client\";r=2;t=20, \"per-route\";r=0;t=15");
    }

    @Test
    void headerAndUserKeysLimitEachValueAndLeaveRequestsWithoutTheHeaderAlone() {
        RateLimitFilter filter = filter(Map.of("limits", List.of(
                Map.of("key", Map.of("header", "X-Api-Key"), "requests", 1, "per", "1m"),
                Map.of("key", "user", "requests", 1, "per", "1m"))));
        assertThat(run(filter, new FakeExchange("a").header("X-Api-Key", "k1")).proceeded).isTrue();
        FakeExchange again = run(filter, new FakeExchange("b").header("X-Api-Key", "k1"));
        assertThat(again.status.code()).isEqualTo(429);
        assertThat(again.headers.get("RateLimit-Policy")).isEqualTo("\"header-x-api-key\";q=1;w=60");
        assertThat(run(filter, new FakeExchange("a").header("X-Api-Key", "k2")).proceeded).isTrue();
        assertThat(run(filter, new FakeExchange("a").header("Remote-User", "alice")).proceeded).isTrue();
        assertThat(run(filter, new FakeExchange("a").header("Remote-User", "alice")).status.code()).isEqualTo(429);
        assertThat(run(filter, new FakeExchange("a").header("Remote-User", "bob")).proceeded).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(run(filter, new FakeExchange("a")).proceeded).as("no key, no limit").isTrue();
        }
    }

    @Test
    void longKeysAreStoredAsTheirDigest() {
        String longValue = "x".repeat(10_000);
        assertThat(LimitKey.bounded(longValue)).startsWith("sha256:").hasSizeLessThanOrEqualTo(60);
        assertThat(LimitKey.bounded(longValue)).isEqualTo(LimitKey.bounded("x".repeat(10_000)));
        assertThat(LimitKey.bounded(longValue)).isNotEqualTo(LimitKey.bounded("x".repeat(9_999) + "y"));
        assertThat(LimitKey.bounded("192.0.2.1")).isEqualTo("192.0.2.1");
    }

    @Test
    void idleBucketsExpireOnceTheyWouldBeFullAgain() {
        LimitSpec spec = new LimitSpec("c", LimitKey.CLIENT_ADDRESS, 10, java.time.Duration.ofSeconds(1), 5, 1000, false);
        LocalBuckets buckets = new LocalBuckets(spec, clock);
        for (int i = 0; i < 100; i++) {
            buckets.tryConsume("198.51.100." + i);
        }
        assertThat(buckets.size()).isEqualTo(100);
        clock.advanceMillis(500 + 1000 + 1);
        assertThat(buckets.size()).isZero();
    }

    /**
     * 100,000 distinct client addresses against a limit capped at 10,000 keys: at most 10,000
     * buckets are held, and the heap they take (MemoryMXBean, least of three readings after
     * System.gc(), before and after) stays under 10,000 × 1 KiB (10 MiB). Measured: about 400 bytes
     * a bucket: Caffeine's node with its access-order links and the hash table slot (~100 B), the
     * key (an address String, ~56 B), bucket4j's lock-free bucket with its AtomicReference, state
     * object and state array (~150 B), plus Caffeine's frequency sketch sized to max_keys (8 B a
     * key). The bound leaves room for GC noise; without the cap the flood would hold ten times as
     * much.
     */
    @Test
    void aHundredThousandDistinctAddressesHoldAtMostMaxKeysBucketsWithinTheHeapBound() {
        int maxKeys = 10_000;
        long perEntryBound = 1024;
        LimitSpec spec = new LimitSpec("c", LimitKey.CLIENT_ADDRESS, 10, java.time.Duration.ofSeconds(60), 10,
                maxKeys, false);
        long before = usedHeapAfterGc();
        LocalBuckets buckets = new LocalBuckets(spec, clock);
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            String address = "10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff);
            if (!buckets.tryConsume(address).isConsumed()) {
                refused++;
            }
        }
        assertThat(refused).as("every address is new, so every bucket is full").isZero();
        long held = buckets.size();
        long after = usedHeapAfterGc();
        long used = after - before;
        LOG.info(String.format("100000 distinct addresses, max_keys %d: %d buckets held, %d bytes of heap (%d per bucket)",
                maxKeys, held, used, held == 0 ? 0 : used / held));
        assertThat(held).isLessThanOrEqualTo(maxKeys).isGreaterThan(maxKeys / 2);
        assertThat(used).isLessThan(maxKeys * perEntryBound);
        // Still working: a held key keeps its bucket, a new key gets a fresh one.
        assertThat(buckets.tryConsume("203.0.113.7").isConsumed()).isTrue();
        assertThat(buckets.size()).isLessThanOrEqualTo(maxKeys);
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    @Test
    void settingsMistakesNameTheSetting() {
        assertThatThrownBy(() -> filter(Map.of("requests", 0)))
                .hasMessage("requests: required: requests allowed per period, at least 1, got 0");
        assertThatThrownBy(() -> filter(Map.of("requests", 5, "per", "500ms")))
                .hasMessageStartingWith("per: must be a whole number of seconds");
        assertThatThrownBy(() -> filter(Map.of("requests", 5, "key", "clinet_address")))
                .hasMessageContaining("key: expected client_address, route, user").hasMessageContaining("did you mean");
        assertThatThrownBy(() -> filter(Map.of("requests", 5, "scope", "cluster")))
                .hasMessageStartingWith("scope: cluster needs the filter's redis setting");
        assertThatThrownBy(() -> filter(Map.of("limits", List.of(Map.of("requests", 1), Map.of("requests", 2)))))
                .hasMessageStartingWith("limits[1].name: \"client_address\" is used by another limit");
        assertThatThrownBy(() -> filter(Map.of("limits", List.of(Map.of("requests", 1, "brust", 2)))))
                .hasMessageStartingWith("limits[0].brust: unknown setting").hasMessageContaining("did you mean \"burst\"");
        assertThatThrownBy(() -> filter(Map.of("limits", List.of())))
                .hasMessageStartingWith("limits: expected a non-empty list");
        assertThatThrownBy(() -> filter(Map.of("requests", 5, "redis", Map.of("address", "nohost"))))
                .hasMessageStartingWith("redis.address:");
        assertThatThrownBy(() -> filter(Map.of("requests", 5, "headers", "sometimes")))
                .hasMessage("headers: expected refused or always, got \"sometimes\"");
    }
}
