package io.hecate.tls.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * A checked OCSP answer about one certificate.
 *
 * @param der        the whole OCSPResponse, as stapled
 * @param nextUpdate {@code null} when the responder gave none
 * @param revokedAt  when {@code good} is false: when the CA revoked the certificate
 */
public record OcspAnswer(boolean good, byte[] der, Instant thisUpdate, Instant nextUpdate, Instant revokedAt) {

    /** How long an answer without nextUpdate counts as fresh (Firefox treats such answers the same way). */
    static final Duration WITHOUT_NEXT_UPDATE = Duration.ofHours(24);

    /** When the answer stops being fresh: nextUpdate, or a day after thisUpdate without one. */
    public Instant expires() {
        return nextUpdate != null ? nextUpdate : thisUpdate.plus(WITHOUT_NEXT_UPDATE);
    }

    public boolean freshAt(Instant now) {
        return now.isBefore(expires());
    }
}
