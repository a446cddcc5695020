package io.hecate.core.internal.limit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The buckets of one cluster-scope limit: in Redis, shared by every Hecate node using the same
 * Redis, route id and limit name; and, for when Redis cannot be asked, this node's own local
 * buckets of the same limit.
 *
 * <p>A decision never blocks the event loop: the Redis round trip is bucket4j's asynchronous
 * compare-and-swap through Lettuce, and its result is handed back to the exchange's event loop.
 * If Redis is known to be unreachable, or does not answer within {@code redis.timeout} (a timer on
 * that same event loop), or fails, the local bucket decides instead, at once, and the fallback is
 * counted ({@code hecate_rate_limit_fallback_total}). Requests are never let through unlimited.
 */
final class ClusterBuckets {

    private final LimitSpec spec;
    private final String keyPrefix;
    private final RedisLink redis;
    private final LocalBuckets fallback;
    private final LimitMetrics.Counters counters;
    private final CompletableFuture<BucketConfiguration> configuration;
    private final long timeoutNanos;

    ClusterBuckets(LimitSpec spec, String routeId, RedisLink redis, LocalBuckets fallback,
                   LimitMetrics.Counters counters) {
        this.spec = spec;
        this.keyPrefix = redis.settings().prefix() + routeId + ":" + spec.name() + ":";
        this.redis = redis;
        this.fallback = fallback;
        this.counters = counters;
        this.configuration = CompletableFuture.completedFuture(spec.bucketConfiguration());
        this.timeoutNanos = redis.settings().timeout().toNanos();
    }

    LocalBuckets fallback() {
        return fallback;
    }

    /** Takes a token for {@code key}; {@code decided} runs on {@code loop}, exactly once. */
    void tryConsume(String key, EventLoop loop, Consumer<ConsumptionProbe> decided) {
        AsyncProxyManager<String> buckets = redis.buckets();
        if (buckets == null) {
            decideLocally(key, decided);
            return;
        }
        Pending pending = new Pending(key, decided);
        pending.timer = loop.schedule(pending::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
        CompletableFuture<ConsumptionProbe> answer;
        try {
            answer = buckets.builder().build(keyPrefix + key, () -> configuration).tryConsumeAndReturnRemaining(1);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((probe, error) -> loop.execute(() -> pending.answered(probe, error)));
    }

    private void decideLocally(String key, Consumer<ConsumptionProbe> decided) {
        counters.fallback.increment();
        decided.accept(fallback.tryConsume(key));
    }

    /** One decision waiting for Redis; touched only on its event loop. */
    private final class Pending {
        private final String key;
        private final Consumer<ConsumptionProbe> decided;
        private ScheduledFuture<?> timer;
        private boolean done;

        Pending(String key, Consumer<ConsumptionProbe> decided) {
            this.key = key;
            this.decided = decided;
        }

        void timedOut() {
            if (!done) {
                done = true;
                redis.failed(null);
                decideLocally(key, decided);
            }
        }

        void answered(ConsumptionProbe probe, Throwable error) {
            if (done) {
                return;
            }
            done = true;
            timer.cancel(false);
            if (error != null || probe == null) {
                redis.failed(error);
                decideLocally(key, decided);
                return;
            }
            redis.succeeded();
            decided.accept(probe);
        }
    }
}
