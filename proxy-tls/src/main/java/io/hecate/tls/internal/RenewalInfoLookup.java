package io.hecate.tls.internal;

import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.exception.AcmeException;

import java.net.MalformedURLException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * Asks an ACME server when to renew a certificate (ARI, RFC 9773), through acme4j.
 *
 * <p>The renewalInfo resource is read with plain unauthenticated GETs (RFC 9773 §4.1), so no
 * account is involved. acme4j reaches it only through a {@code Login}, which here names the
 * directory as its location with a throwaway key: a GET uses neither, and asking never creates an
 * account or needs the stored account key.
 */
public final class RenewalInfoLookup {

    private static final KeyPair UNUSED_KEY = unusedKey();

    private RenewalInfoLookup() {
    }

    /**
     * Fetches the renewal information about {@code leaf}. Call only once {@code session}'s
     * directory is known to have {@code renewalInfo}.
     *
     * @param now the time the renewal time is chosen against
     */
    public static RenewalAdvice fetch(Session session, X509Certificate leaf, Instant now) throws AcmeException {
        RenewalInfo info;
        try {
            info = session.login(session.getServerUri().toURL(), UNUSED_KEY).bindRenewalInfo(leaf);
        } catch (MalformedURLException e) {
            throw new AcmeException("the directory URL " + session.getServerUri() + " is not a URL", e);
        }
        Instant retryAfter = info.fetch().orElse(null);
        // RFC 9773 §4.2: a uniformly random time inside the window; once it has begun, at once.
        // acme4j also refuses a window that ends before it starts, which §4.2 counts as no answer.
        Instant renewAt = info.renewalIsNotRequired(now)
                ? info.getRandomProposal(null).orElse(info.getSuggestedWindowStart())
                : now;
        return new RenewalAdvice(info.getSuggestedWindowStart(), info.getSuggestedWindowEnd(),
                info.getExplanation().orElse(null), renewAt, retryAfter);
    }

    private static KeyPair unusedKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
