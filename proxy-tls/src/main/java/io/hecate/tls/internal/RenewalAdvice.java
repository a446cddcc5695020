package io.hecate.tls.internal;

import java.net.URL;
import java.time.Instant;

/**
 * What an ACME server suggested about one certificate (ACME Renewal Information, RFC 9773 §4.2).
 *
 * @param windowStart the start of the suggested renewal window
 * @param windowEnd   its end
 * @param explanation a page where the CA explains the window (a revocation, say), or {@code null}
 * @param renewAt     when to renew: a random time inside the window, or the time of asking once
 *                    the window has begun
 * @param retryAfter  when the server wants to be asked again ({@code Retry-After}), or {@code null}
 */
public record RenewalAdvice(Instant windowStart, Instant windowEnd, URL explanation, Instant renewAt,
                            Instant retryAfter) {

    boolean sameWindow(RenewalAdvice other) {
        return other != null && windowStart.equals(other.windowStart) && windowEnd.equals(other.windowEnd);
    }
}
