package io.hecate.tls;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Certificates ordered from an ACME server (RFC 8555), proven by HTTP-01 on Hecate's HTTP listener.
 *
 * @param directory        the ACME server's directory URL (Let's Encrypt:
 *                         {@code https://acme-v02.api.letsencrypt.org/directory})
 * @param domains          the names of the one certificate to order (the first is its name in storage)
 * @param storage          where the account key, certificates and keys are kept (created owner-only)
 * @param agreeToTerms     the operator accepts the server's terms of service; ordering refuses without it
 * @param email            contact address for the account, or {@code null}
 * @param trustedRoots     extra roots trusted for the ACME server's own HTTPS (a test server); empty
 *                         for the JDK's trust store
 * @param challengeTimeout how long to wait for the server to validate a challenge and issue
 */
public record AcmeSettings(URI directory, List<String> domains, Path storage, boolean agreeToTerms, String email,
                           List<X509Certificate> trustedRoots, Duration challengeTimeout) {

    public AcmeSettings {
        domains = List.copyOf(domains);
        trustedRoots = List.copyOf(trustedRoots);
    }
}
