package io.hecate.core.internal.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;

import java.time.Duration;

/**
 * The buckets of one limit on this node, one per key, shared by every event loop. Lock-free
 * bucket4j buckets (one compare-and-set per request) in a Caffeine cache that bounds the memory:
 *
 * <ul>
 *   <li>a bucket untouched for as long as it takes to refill completely is dropped: it is then
 *       equal to a new one, so dropping it loses nothing;</li>
 *   <li>at most {@code max_keys} buckets are kept; beyond that Caffeine evicts by its W-TinyLFU
 *       policy, which admits a new key only over a less frequently used one, so a flood of
 *       one-off client addresses mostly evicts itself and leaves the buckets of steady clients
 *       alone. An evicted key that comes back starts with a full bucket.</li>
 * </ul>
 *
 * The cache's upkeep runs on the calling thread in small amortised steps (no pool thread); a
 * route-wide limit has a single bucket and no cache at all.
 */
final class LocalBuckets {

    private final LimitSpec spec;
    private final Bandwidth bandwidth;
    private final TimeMeter clock;
    private final Cache<String, Bucket> buckets;
    private final Bucket single;

    LocalBuckets(LimitSpec spec, TimeMeter clock) {
        this.spec = spec;
        this.bandwidth = spec.bandwidth();
        this.clock = clock;
        if (spec.key().kind() == LimitKey.Kind.ROUTE) {
            this.buckets = null;
            this.single = newBucket();
        } else {
            Duration idle = spec.refillTime().plusSeconds(1);
            this.buckets = Caffeine.newBuilder()
                    .maximumSize(spec.maxKeys())
                    .expireAfterAccess(idle)
                    .ticker(clock::currentTimeNanos)
                    .executor(Runnable::run)
                    .build();
            this.single = null;
        }
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(bandwidth)
                .withCustomTimePrecision(clock)
                .withSynchronizationStrategy(SynchronizationStrategy.LOCK_FREE)
                .build();
    }

    ConsumptionProbe tryConsume(String key) {
        Bucket bucket = single != null ? single : buckets.get(key, k -> newBucket());
        return bucket.tryConsumeAndReturnRemaining(1);
    }

    LimitSpec spec() {
        return spec;
    }

    /** Buckets held now (after pending evictions and expiries are carried out). */
    long size() {
        if (single != null) {
            return 1;
        }
        buckets.cleanUp();
        return buckets.estimatedSize();
    }
}
