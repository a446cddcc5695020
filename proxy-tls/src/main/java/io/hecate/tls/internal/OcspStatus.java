package io.hecate.tls.internal;

import java.net.URI;
import java.time.Instant;

/**
 * What is known about one served certificate's OCSP standing, for stapling and {@code /certs}.
 *
 * @param url       the leaf's responder, {@code null} when it names none (nothing to staple)
 * @param answer    the last answer that passed the checks, {@code null} before the first
 * @param lastError why the last attempt failed, {@code null} after a success
 */
public record OcspStatus(URI url, OcspAnswer answer, String lastError) {

    public static final OcspStatus NONE = new OcspStatus(null, null, null);

    /** {@code none}, {@code pending} (not asked yet), {@code good}, {@code revoked} or {@code error} (nothing fresh to staple). */
    public String state(Instant now) {
        if (url == null) {
            return "none";
        }
        if (answer != null && !answer.good()) {
            return "revoked";
        }
        if (answer != null && answer.freshAt(now)) {
            return "good";
        }
        return answer == null && lastError == null ? "pending" : "error";
    }

    /** The answer to staple now: good and fresh, else {@code null}. */
    public byte[] stapleAt(Instant now) {
        return answer != null && answer.good() && answer.freshAt(now) ? answer.der() : null;
    }

    /** The last error, or why a good answer is no longer stapled when its refresh has not failed (yet). */
    public String errorAt(Instant now) {
        if (lastError == null && answer != null && answer.good() && !answer.freshAt(now)) {
            return "the last answer expired at " + answer.expires();
        }
        return lastError;
    }
}
