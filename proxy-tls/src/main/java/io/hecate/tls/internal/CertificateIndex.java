package io.hecate.tls.internal;

import io.netty.handler.ssl.SslContext;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which context answers which SNI name: an immutable snapshot, built off the event loops and
 * swapped whole. Exact names first, then the wildcard of the parent domain ({@code *.example.com}
 * covers {@code a.example.com}, not {@code a.b.example.com} nor {@code example.com}, as RFC 6125
 * says). When several certificates cover a name, one valid now wins over an expired or not yet
 * valid one, and among those the one that expires last.
 */
public final class CertificateIndex {

    public static final CertificateIndex EMPTY = new CertificateIndex(List.of(), Instant.now());

    private final List<LoadedCertificate> certificates;
    private final Map<String, LoadedCertificate> byName = new HashMap<>();

    public CertificateIndex(List<LoadedCertificate> certificates, Instant now) {
        this.certificates = List.copyOf(certificates);
        for (LoadedCertificate certificate : certificates) {
            for (String name : certificate.names()) {
                byName.merge(name, certificate, (a, b) -> better(a, b, now));
            }
        }
    }

    private static LoadedCertificate better(LoadedCertificate a, LoadedCertificate b, Instant now) {
        boolean aValid = a.validAt(now);
        boolean bValid = b.validAt(now);
        if (aValid != bValid) {
            return aValid ? a : b;
        }
        return b.notAfter().isAfter(a.notAfter()) ? b : a;
    }

    public List<LoadedCertificate> certificates() {
        return certificates;
    }

    /** @param name the SNI name in lower case, or {@code null}: the first certificate answers */
    public LoadedCertificate find(String name) {
        if (name == null) {
            return certificates.isEmpty() ? null : certificates.get(0);
        }
        LoadedCertificate exact = byName.get(name);
        if (exact != null) {
            return exact;
        }
        int dot = name.indexOf('.');
        if (dot > 0 && dot < name.length() - 1) {
            return byName.get("*" + name.substring(dot));
        }
        return null;
    }

    public SslContext contextFor(String name) {
        LoadedCertificate found = find(name);
        return found == null ? null : found.context();
    }
}
