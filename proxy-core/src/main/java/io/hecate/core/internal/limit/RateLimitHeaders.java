package io.hecate.core.internal.limit;

import io.github.bucket4j.ConsumptionProbe;

/**
 * The {@code RateLimit-Policy} and {@code RateLimit} response fields of the IETF httpapi draft
 * "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-11; the syntax is
 * unchanged since -08), both Structured Field Lists (RFC 9651) of items named by the policy:
 *
 * <pre>
 * RateLimit-Policy: "client_address";q=10;w=1;hecate-burst=5
 * RateLimit: "client_address";r=0;t=1
 * </pre>
 *
 * {@code q} is the limit's {@code requests}, {@code w} its {@code per} in seconds; a bucket larger
 * or smaller than {@code requests} shows as the vendor parameter {@code hecate-burst}. {@code r}
 * is the tokens left in the request's bucket; {@code t} is, for a refused request, the seconds
 * until a token is back (the same as {@code Retry-After}), otherwise the seconds until the bucket
 * is full again. No partition key ({@code pk}) is sent: it would echo the client's address or
 * user back. See docs/decisions/0007-rate-limit-headers-and-redis-fallback.md.
 */
final class RateLimitHeaders {

    static final String POLICY = "RateLimit-Policy";
    static final String STATUS = "RateLimit";

    private RateLimitHeaders() {
    }

    static String policy(LimitSpec spec) {
        StringBuilder item = new StringBuilder(48);
        name(item, spec.name()).append(";q=").append(spec.requests()).append(";w=").append(spec.windowSeconds());
        if (spec.burst() != spec.requests()) {
            item.append(";hecate-burst=").append(spec.burst());
        }
        return item.toString();
    }

    static String status(LimitSpec spec, ConsumptionProbe probe) {
        StringBuilder item = new StringBuilder(32);
        long seconds = probe.isConsumed() ? ceilSeconds(probe.getNanosToWaitForReset()) : retryAfter(probe);
        name(item, spec.name()).append(";r=").append(Math.max(0, probe.getRemainingTokens())).append(";t=").append(seconds);
        return item.toString();
    }

    /** Seconds until a refused request's bucket has a token again: at least 1. */
    static long retryAfter(ConsumptionProbe probe) {
        return Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
    }

    private static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    /** An sf-string: the names allowed (letters, digits, {@code . _ -}) need no escaping. */
    private static StringBuilder name(StringBuilder out, String name) {
        return out.append('"').append(name).append('"');
    }
}
