package io.hecate.tls.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which certificate answers a name: exact before wildcard, a valid one before an expired one, then the later expiry. */
class CertificateIndexTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    private static LoadedCertificate certificate(String source, Instant notBefore, Instant notAfter, String... names) {
        return new LoadedCertificate(List.of(names), "CN=Test", notBefore, notAfter, null, source, List.of());
    }

    @Test
    void neverAnExpiredCertificateWhileAValidOneCoversTheName() {
        LoadedCertificate expired = certificate("expired", NOW.minus(Duration.ofDays(90)), NOW.minusSeconds(1), "a.example.com");
        LoadedCertificate valid = certificate("valid", NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(20)), "a.example.com");
        LoadedCertificate later = certificate("later", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(89)), "a.example.com");
        LoadedCertificate notYet = certificate("not-yet", NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(400)), "a.example.com");

        assertThat(new CertificateIndex(List.of(expired, valid), NOW).find("a.example.com").source()).isEqualTo("valid");
        assertThat(new CertificateIndex(List.of(valid, expired), NOW).find("a.example.com").source()).isEqualTo("valid");
        assertThat(new CertificateIndex(List.of(valid, later, expired), NOW).find("a.example.com").source()).isEqualTo("later");
        assertThat(new CertificateIndex(List.of(notYet, valid), NOW).find("a.example.com").source()).isEqualTo("valid");
        // Only an expired one: still served (better than none; /certs and the metric show it).
        assertThat(new CertificateIndex(List.of(expired), NOW).find("a.example.com").source()).isEqualTo("expired");
    }

    @Test
    void exactNamesBeforeWildcardsAndAWildcardCoversOneLabel() {
        LoadedCertificate wildcard = certificate("wildcard", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)), "*.example.com");
        LoadedCertificate exact = certificate("exact", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)), "shop.example.com");
        CertificateIndex index = new CertificateIndex(List.of(wildcard, exact), NOW);

        assertThat(index.find("shop.example.com").source()).isEqualTo("exact");
        assertThat(index.find("api.example.com").source()).isEqualTo("wildcard");
        assertThat(index.find("a.b.example.com")).isNull();
        assertThat(index.find("example.com")).isNull();
        assertThat(index.find(null).source()).isEqualTo("wildcard");
    }
}
