package io.hecate.tls;

import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.tls.HttpChallengeResponder;
import io.hecate.tls.internal.PemFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * proxy-tls set up from a configuration file: the {@code tls} section's static certificates and
 * ACME certificates, registered with a {@link Hecate.Builder} (TLS contexts, HTTP-01 responder,
 * metrics, {@code GET /certs}). {@code hecate run} uses it:
 *
 * <pre>{@code
 * TlsModule tls = TlsModule.install(builder, config);   // null without listen.https and tls
 * Hecate hecate = builder.start();
 * if (tls != null) tls.started();                       // ACME orders once the listeners are up
 * }</pre>
 */
public final class TlsModule implements AutoCloseable {

    /** How long one ACME order may wait for validation and issuance. */
    private static final Duration ORDER_TIMEOUT = Duration.ofMinutes(2);

    private final HecateTls tls;
    private final List<AcmeCertificates> acme;

    private TlsModule(HecateTls tls, List<AcmeCertificates> acme) {
        this.tls = tls;
        this.acme = List.copyOf(acme);
    }

    /**
     * Reads {@code tls}, loads the static certificates, prepares ACME and registers everything.
     *
     * @return the module, or {@code null} when the configuration has neither {@code listen.https} nor {@code tls}
     * @throws ConfigException for a bad {@code tls} section or a certificate that cannot be loaded
     */
    public static TlsModule install(Hecate.Builder builder, ProxyConfig config) throws ConfigException {
        return install(builder, config, FileCertificateStore::new);
    }

    /**
     * As {@link #install(Hecate.Builder, ProxyConfig)}, with ACME's account and certificates kept in
     * the store {@code stores} makes (a cluster store lets one node order for all).
     *
     * @param stores given {@code tls.acme.storage}, the store every ACME certificate of this module
     *               shares; called once, and only when the configuration has {@code tls.acme}
     */
    public static TlsModule install(Hecate.Builder builder, ProxyConfig config,
                                    Function<Path, CertificateStore> stores) throws ConfigException {
        if (config.listen().https() == null && config.extension("tls") == null) {
            return null;
        }
        TlsSettings settings = TlsSettings.from(config.extension("tls"));
        List<X509Certificate> roots = new ArrayList<>();
        if (settings.acme() != null) {
            for (int i = 0; i < settings.acme().trustedRoots().size(); i++) {
                try {
                    roots.addAll(PemFiles.chain(settings.acme().trustedRoots().get(i)));
                } catch (IOException | GeneralSecurityException e) {
                    throw new ConfigException(List.of(new ConfigProblem(null, 0, "tls.acme.trusted_roots[" + i + "]",
                            "cannot read " + settings.acme().trustedRoots().get(i) + ": " + e.getMessage())));
                }
            }
        }
        HecateTls tls = HecateTls.start(settings);
        List<AcmeCertificates> acme = new ArrayList<>();
        if (settings.acme() != null) {
            TlsSettings.Acme a = settings.acme();
            CertificateStore store = stores.apply(a.storage());
            for (List<String> names : a.certificates()) {
                AcmeCertificates certificates = new AcmeCertificates(new AcmeSettings(a.directory(), names,
                        a.storage(), a.agreeToTerms(), a.email(), roots, ORDER_TIMEOUT), tls, Clock.systemUTC(),
                        store);
                if (a.dns() != null) {
                    certificates.withDns(dnsProvider(a.dns()));
                } else if ("tls-alpn-01".equals(a.challenge())) {
                    certificates.withTlsAlpn();
                }
                if (a.eabKeyId() != null) {
                    certificates.withExternalAccount(a.eabKeyId(), a.eabHmacKey());
                }
                acme.add(certificates);
            }
        }
        TlsModule module = new TlsModule(tls, acme);
        builder.tls(tls).metrics(tls::renderMetrics).adminEndpoint("/certs", tls::certsJson);
        if (!acme.isEmpty()) {
            builder.httpChallenges(module.challenges());
        }
        return module;
    }

    private static DnsProvider dnsProvider(TlsSettings.Dns dns) throws ConfigException {
        if (dns.provider().equals("challtestsrv")) {
            return new ChallTestSrvDns(dns.url());
        }
        String token = System.getenv(dns.tokenEnv());
        if (token == null || token.isBlank()) {
            throw new ConfigException(List.of(new ConfigProblem(null, 0, "tls.acme.dns.token_env",
                    "the environment variable " + dns.tokenEnv() + " is not set")));
        }
        return new HetznerDns(dns.url(), token.trim(), dns.propagation());
    }

    private HttpChallengeResponder challenges() {
        List<HttpChallengeResponder> responders = acme.stream().map(AcmeCertificates::httpChallenges).toList();
        return (host, token) -> {
            for (HttpChallengeResponder responder : responders) {
                String answer = responder.keyAuthorization(host, token);
                if (answer != null) {
                    return answer;
                }
            }
            return null;
        };
    }

    /** Call once Hecate listens: serves stored ACME certificates and orders or renews the others. */
    public void started() {
        acme.forEach(AcmeCertificates::start);
    }

    public HecateTls tls() {
        return tls;
    }

    public List<AcmeCertificates> acme() {
        return acme;
    }

    @Override
    public void close() {
        acme.forEach(AcmeCertificates::close);
        tls.close();
    }
}
