package io.hecate.tls;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code tls} section as proxy-core passes it on: plain maps, lists and strings. */
class TlsSettingsTest {

    @Test
    void readsFilesAndAcme() throws Exception {
        TlsSettings settings = TlsSettings.from(Map.of(
                "certificates", List.of(Map.of("cert", "/c.pem", "key", "/k.pem")),
                "watch_interval", "2s",
                "acme", Map.of("directory", "https://acme.example/dir", "agree_to_terms", "true",
                        "storage", "/var/lib/hecate/acme", "domains", List.of("a.example.com", List.of("b.example.com", "www.b.example.com")),
                        "eab", Map.of("key_id", "kid-1", "hmac_key", "c2VjcmV0"), "challenge", "tls-alpn-01")));
        assertThat(settings.certificates()).containsExactly(new TlsSettings.CertificateFiles(Path.of("/c.pem"), Path.of("/k.pem")));
        assertThat(settings.watchInterval()).hasSeconds(2);
        assertThat(settings.acme().directory()).isEqualTo(URI.create("https://acme.example/dir"));
        assertThat(settings.acme().certificates())
                .containsExactly(List.of("a.example.com"), List.of("b.example.com", "www.b.example.com"));
        assertThat(settings.acme().email()).isNull();
        assertThat(settings.acme().eabKeyId()).isEqualTo("kid-1");
        assertThat(settings.acme().eabHmacKey()).isEqualTo("c2VjcmV0");
        assertThat(settings.acme().challenge()).isEqualTo("tls-alpn-01");
    }

    @Test
    void dnsProvidersAndWildcards() throws Exception {
        TlsSettings settings = TlsSettings.from(Map.of("acme", Map.of("directory", "https://acme.example/dir",
                "agree_to_terms", "true", "storage", "/s", "domains", List.of(List.of("*.example.com", "example.com")),
                "dns", Map.of("provider", "hetzner", "token_env", "HETZNER_DNS_TOKEN"))));
        assertThat(settings.acme().certificates()).containsExactly(List.of("*.example.com", "example.com"));
        assertThat(settings.acme().dns().url()).isEqualTo(HetznerDns.API);
        assertThat(settings.acme().dns().propagation()).hasSeconds(30);

        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> TlsSettings.from(Map.of("acme",
                Map.of("directory", "https://acme.example/dir", "agree_to_terms", "true", "storage", "/s",
                        "domains", List.of("a.example.com"), "dns", Map.of("provider", "hetzner")))));
        assertThat(failure.problems()).extracting(ConfigProblem::path).containsExactly("tls.acme.dns.token_env");
    }

    @Test
    void everyProblemIsNamedByItsKey() {
        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> TlsSettings.from(Map.of(
                "acme", Map.of("directory", "http://plain/dir", "agree_to_terms", "false", "domains",
                        List.of("*.example.com"), "colour", "blue"),
                "watch_interval", "soon")));
        assertThat(failure.problems()).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
                "tls.acme.colour", "tls.acme.directory", "tls.acme.agree_to_terms", "tls.acme.storage",
                "tls.acme.domains[0]", "tls.watch_interval");
        assertThat(failure.getMessage()).contains("must be true", "wildcards need DNS-01");

        ConfigException none = catchThrowableOfType(ConfigException.class, () -> TlsSettings.from(Map.of()));
        assertThat(none.problems()).extracting(ConfigProblem::path).containsExactly("tls.certificates");
    }
}
