package io.hecate.tls.internal;

import io.netty.handler.ssl.SslContext;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate ready to serve: its context and what the index and {@code /certs} need to know.
 *
 * @param names    the DNS names it is valid for (its SAN names, or its CN when it has none), lower case;
 *                 wildcards as {@code *.example.com}
 * @param source   where it came from (the certificate file)
 * @param chain    the certificates served, leaf first (OCSP needs the leaf and its issuer)
 */
public record LoadedCertificate(List<String> names, String issuer, Instant notBefore, Instant notAfter,
                                SslContext context, String source, List<X509Certificate> chain) {

    public LoadedCertificate {
        names = List.copyOf(names);
        chain = List.copyOf(chain);
    }

    public boolean validAt(Instant now) {
        return !now.isBefore(notBefore) && now.isBefore(notAfter);
    }

    static String issuerOf(X509Certificate leaf) {
        return leaf.getIssuerX500Principal().getName();
    }
}
