package io.hecate.core.internal.limit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;

import java.time.Duration;

/**
 * One limit of a {@code rate_limit} filter: a token bucket of {@code burst} tokens that refills
 * {@code requests} tokens every {@code per}, smoothly (one token every {@code per / requests});
 * each request takes one token from the bucket of its key.
 *
 * @param name     the policy name in {@code RateLimit-Policy} / {@code RateLimit} and in metrics
 * @param key      whose bucket a request takes from
 * @param requests tokens added per {@code per}: the sustained rate
 * @param per      a whole number of seconds (the headers count windows in seconds)
 * @param burst    the bucket's size: requests that may come at once
 * @param maxKeys  most buckets kept for this limit on one node (the least useful go first)
 * @param cluster  whether the buckets live in Redis, shared by every node
 */
record LimitSpec(String name, LimitKey key, long requests, Duration per, long burst, int maxKeys, boolean cluster) {

    Bandwidth bandwidth() {
        return Bandwidth.builder().capacity(burst).refillGreedy(requests, per).build();
    }

    BucketConfiguration bucketConfiguration() {
        return BucketConfiguration.builder().addLimit(bandwidth()).build();
    }

    long nanosPerToken() {
        return Math.max(1, per.toNanos() / requests);
    }

    /** How long an untouched bucket takes to be full again, after which it equals a new one. */
    Duration refillTime() {
        return Duration.ofNanos(Math.max(1, nanosPerToken() * burst));
    }

    /** The window in seconds for the {@code w} parameter. */
    long windowSeconds() {
        return per.toSeconds();
    }
}
