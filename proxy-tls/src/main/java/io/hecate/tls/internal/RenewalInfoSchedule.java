package io.hecate.tls.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.function.IntFunction;

/**
 * When to ask the ACME server about the served certificate's renewal (ARI, RFC 9773 §4.3), and
 * what it said last. Written on the ACME thread; read for {@code /certs}.
 */
public final class RenewalInfoSchedule {

    /** Asked again this long after an answer without {@code Retry-After}. */
    static final Duration DEFAULT_INTERVAL = Duration.ofHours(6);
    /** RFC 9773 §4.3.2 lets clients bound {@code Retry-After}: a server's 0 must not make a loop, nor a year a blind spot. */
    static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_INTERVAL = Duration.ofDays(1);

    private Instant notAfter;
    private boolean offered;
    private RenewalAdvice advice;
    private Instant nextFetch;
    private String fetchError;
    private int failures;

    /** A new certificate is served: ask about it at once (§4.3: right after issuance), forgetting the old one's answers. */
    public synchronized void certificateChanged(Instant notAfter, Instant now) {
        this.notAfter = notAfter;
        advice = null;
        fetchError = null;
        failures = 0;
        nextFetch = now;
    }

    /** Whether to ask now; never about an expired certificate (§4.3). */
    public synchronized boolean due(Instant now) {
        return nextFetch != null && !now.isBefore(nextFetch) && now.isBefore(notAfter);
    }

    /** The directory has no {@code renewalInfo}: nothing to ask until the next certificate. */
    public synchronized void notOffered() {
        offered = false;
        advice = null;
        fetchError = null;
        nextFetch = null;
    }

    /** The directory has {@code renewalInfo}. */
    public synchronized void offered() {
        offered = true;
    }

    /**
     * Records an answer and when to ask again.
     *
     * @return when to renew: the time picked before while the window is unchanged (so the
     *         schedule does not wander at each answer), else the answer's
     */
    public synchronized Instant answered(RenewalAdvice answer, Instant now) {
        RenewalAdvice kept = answer.sameWindow(advice) && advice.renewAt().isAfter(now) ? advice : answer;
        advice = new RenewalAdvice(answer.windowStart(), answer.windowEnd(), answer.explanation(), kept.renewAt(),
                answer.retryAfter());
        fetchError = null;
        failures = 0;
        Instant asked = answer.retryAfter() != null ? answer.retryAfter() : now.plus(DEFAULT_INTERVAL);
        nextFetch = clamp(asked, now.plus(MIN_INTERVAL), now.plus(MAX_INTERVAL));
        return advice.renewAt();
    }

    /**
     * Records a failed attempt; the renewal schedule stays as it was (§4.2: renew on the schedule
     * the client had).
     *
     * @param retryAt given the number of failures in a row, when to try again
     * @return when to try again
     */
    public synchronized Instant failed(String error, IntFunction<Instant> retryAt) {
        fetchError = error;
        failures++;
        nextFetch = retryAt.apply(failures);
        return nextFetch;
    }

    private static Instant clamp(Instant value, Instant min, Instant max) {
        return value.isBefore(min) ? min : value.isAfter(max) ? max : value;
    }

    /** Whether the server is known to offer ARI. */
    public synchronized boolean isOffered() {
        return offered;
    }

    /** The last answer about the served certificate, or {@code null}. */
    public synchronized RenewalAdvice advice() {
        return advice;
    }

    /** When to ask next, or {@code null} when there is nothing to ask. */
    public synchronized Instant nextFetch() {
        return nextFetch;
    }

    /** Why the last attempt failed, or {@code null} after an answer. */
    public synchronized String fetchError() {
        return fetchError;
    }
}
