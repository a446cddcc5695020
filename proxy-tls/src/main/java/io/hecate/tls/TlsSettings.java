package io.hecate.tls;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What proxy-tls serves on the {@code listen.https} listener: the {@code tls} section of the
 * configuration file.
 *
 * <pre>
 * tls:
 *   certificates:
 *     - cert: /etc/hecate/example.com/fullchain.pem   # the chain, leaf first (PEM)
 *       key: /etc/hecate/example.com/privkey.pem      # its private key (PEM, PKCS#8)
 *   watch_interval: 5s          # how often the files are checked for changes
 *   ticket_key_rotation: 12h    # session ticket keys are replaced this often (BoringSSL)
 * </pre>
 *
 * @param certificates      the static certificates, in order; the first is served to clients that
 *                          send no SNI name
 * @param watchInterval     how often the certificate files are checked for changes
 * @param ticketKeyRotation how often a new session ticket key is made (the previous one still
 *                          decrypts for one more period)
 */
public record TlsSettings(List<CertificateFiles> certificates, Duration watchInterval, Duration ticketKeyRotation,
                          Acme acme) {

    public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TICKET_KEY_ROTATION = Duration.ofHours(12);

    public TlsSettings {
        certificates = List.copyOf(certificates);
    }

    /** Without ACME. */
    public TlsSettings(List<CertificateFiles> certificates, Duration watchInterval, Duration ticketKeyRotation) {
        this(certificates, watchInterval, ticketKeyRotation, null);
    }

    /**
     * The {@code tls.acme} section: certificates ordered and renewed automatically.
     *
     * @param directory    the ACME server's directory URL
     * @param email        the account's contact, or {@code null}
     * @param agreeToTerms must be {@code true}: the operator accepts the server's terms of service
     * @param storage      folder for the account key, certificates and keys
     * @param certificates the names of each certificate (one entry, one certificate)
     * @param trustedRoots PEM files of extra roots for the ACME server's own HTTPS (a private ACME
     *                     server); empty for the JDK's trust store
     * @param eabKeyId     external account binding: the key identifier the CA gave, or {@code null}
     * @param eabHmacKey   external account binding: the MAC key (base64url), or {@code null}
     * @param challenge    {@code http-01} (default) or {@code tls-alpn-01}; DNS-01 when {@code dns} is set
     * @param dns          the DNS provider for DNS-01 (needed for wildcard names), or {@code null}
     */
    public record Acme(URI directory, String email, boolean agreeToTerms, Path storage, List<List<String>> certificates,
                       List<Path> trustedRoots, String eabKeyId, String eabHmacKey, String challenge, Dns dns) {
        public Acme {
            certificates = certificates.stream().map(List::copyOf).toList();
            trustedRoots = List.copyOf(trustedRoots);
        }
    }

    /** A certificate chain and its key, both PEM files. */
    public record CertificateFiles(Path cert, Path key) {
    }

    /**
     * The {@code tls.acme.dns} section.
     *
     * @param provider    {@code hetzner} or {@code challtestsrv}
     * @param url         the provider's API (challtestsrv's management URL; Hetzner's by default)
     * @param tokenEnv    the environment variable holding the API token (Hetzner), never the token itself
     * @param propagation how long to wait after setting a record before asking for validation
     */
    public record Dns(String provider, URI url, String tokenEnv, Duration propagation) {
    }

    public static TlsSettings of(CertificateFiles... certificates) {
        return new TlsSettings(List.of(certificates), DEFAULT_WATCH_INTERVAL, DEFAULT_TICKET_KEY_ROTATION);
    }

    public TlsSettings withWatchInterval(Duration interval) {
        return new TlsSettings(certificates, interval, ticketKeyRotation, acme);
    }

    public TlsSettings withTicketKeyRotation(Duration rotation) {
        return new TlsSettings(certificates, watchInterval, rotation, acme);
    }

    /**
     * Reads the {@code tls} section as proxy-core passes it on ({@code ProxyConfig.extension("tls")}:
     * maps, lists and strings).
     *
     * @throws ConfigException naming every key that is wrong
     */
    public static TlsSettings from(Object section) throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        List<CertificateFiles> certificates = new ArrayList<>();
        Duration watch = DEFAULT_WATCH_INTERVAL;
        Duration rotation = DEFAULT_TICKET_KEY_ROTATION;
        if (section == null) {
            problems.add(problem("tls.certificates", "listen.https needs at least one certificate"));
            throw new ConfigException(problems);
        }
        if (!(section instanceof Map<?, ?> tls)) {
            throw new ConfigException(List.of(problem("tls", "expected a mapping")));
        }
        for (Object key : tls.keySet()) {
            if (!List.of("certificates", "watch_interval", "ticket_key_rotation", "acme").contains(key)) {
                problems.add(problem("tls." + key,
                        "unknown key; expected certificates, acme, watch_interval or ticket_key_rotation"));
            }
        }
        Acme acme = tls.get("acme") == null ? null : acme(tls.get("acme"), problems);
        Object list = tls.get("certificates");
        if (list == null && acme != null) {
            list = List.of();
        } else if (!(list instanceof List<?> entries) || entries.isEmpty()) {
            problems.add(problem("tls.certificates",
                    "expected a list of {cert, key} with at least one entry (or a tls.acme section)"));
            list = List.of();
        }
        List<?> entries = (List<?>) list;
        {
            for (int i = 0; i < entries.size(); i++) {
                String path = "tls.certificates[" + i + "]";
                if (!(entries.get(i) instanceof Map<?, ?> entry)) {
                    problems.add(problem(path, "expected a mapping with cert and key"));
                    continue;
                }
                Object cert = entry.get("cert");
                Object key = entry.get("key");
                if (!(cert instanceof String certText) || certText.isBlank()) {
                    problems.add(problem(path + ".cert", "required: the PEM file of the certificate chain"));
                    continue;
                }
                if (!(key instanceof String keyText) || keyText.isBlank()) {
                    problems.add(problem(path + ".key", "required: the PEM file of the private key"));
                    continue;
                }
                for (Object k : entry.keySet()) {
                    if (!"cert".equals(k) && !"key".equals(k)) {
                        problems.add(problem(path + "." + k, "unknown key; expected cert or key"));
                    }
                }
                certificates.add(new CertificateFiles(Path.of(certText.trim()), Path.of(keyText.trim())));
            }
        }
        watch = duration(tls.get("watch_interval"), "tls.watch_interval", watch, problems);
        rotation = duration(tls.get("ticket_key_rotation"), "tls.ticket_key_rotation", rotation, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new TlsSettings(certificates, watch, rotation, acme);
    }

    private static Acme acme(Object value, List<ConfigProblem> problems) {
        if (!(value instanceof Map<?, ?> acme)) {
            problems.add(problem("tls.acme", "expected a mapping"));
            return null;
        }
        for (Object key : acme.keySet()) {
            if (!List.of("directory", "email", "agree_to_terms", "storage", "domains", "trusted_roots", "eab",
                    "challenge", "dns")
                    .contains(key)) {
                problems.add(problem("tls.acme." + key, "unknown key; expected directory, email, agree_to_terms,"
                        + " storage, domains, trusted_roots, eab, challenge or dns"));
            }
        }
        URI directory = null;
        if (!(acme.get("directory") instanceof String text) || !text.trim().startsWith("https://")) {
            problems.add(problem("tls.acme.directory", "required: the ACME server's directory URL (https://...),"
                    + " e.g. https://acme-v02.api.letsencrypt.org/directory"));
        } else {
            try {
                directory = URI.create(text.trim());
            } catch (IllegalArgumentException e) {
                problems.add(problem("tls.acme.directory", e.getMessage()));
            }
        }
        boolean agree = "true".equals(String.valueOf(acme.get("agree_to_terms")));
        if (!agree) {
            problems.add(problem("tls.acme.agree_to_terms", "must be true: read the ACME server's terms of service"
                    + " and accept them to order certificates"));
        }
        Path storage = null;
        if (!(acme.get("storage") instanceof String text) || text.isBlank()) {
            problems.add(problem("tls.acme.storage", "required: a folder for the account key and certificates"));
        } else {
            storage = Path.of(text.trim());
        }
        List<List<String>> certificates = new ArrayList<>();
        if (!(acme.get("domains") instanceof List<?> domains) || domains.isEmpty()) {
            problems.add(problem("tls.acme.domains", "required: the names to order certificates for"));
        } else {
            for (int i = 0; i < domains.size(); i++) {
                Object entry = domains.get(i);
                List<String> names = new ArrayList<>();
                if (entry instanceof String name) {
                    names.add(name);
                } else if (entry instanceof List<?> group) {
                    group.forEach(n -> names.add(String.valueOf(n)));
                }
                if (names.isEmpty()) {
                    problems.add(problem("tls.acme.domains[" + i + "]", "expected a name or a list of names"));
                    continue;
                }
                boolean dnsConfigured = acme.get("dns") != null;
                for (String name : names) {
                    if (dnsConfigured && name.startsWith("*.")) {
                        name = name.substring(2);
                    }
                    if (!name.matches("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")) {
                        problems.add(problem("tls.acme.domains[" + i + "]", "\"" + name + "\" is not a domain name"
                                + " (wildcards need DNS-01, not available yet)"));
                    }
                }
                certificates.add(names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList());
            }
        }
        List<Path> roots = new ArrayList<>();
        if (acme.get("trusted_roots") instanceof List<?> files) {
            files.forEach(f -> roots.add(Path.of(String.valueOf(f))));
        } else if (acme.get("trusted_roots") != null) {
            problems.add(problem("tls.acme.trusted_roots", "expected a list of PEM files"));
        }
        String email = acme.get("email") instanceof String text && !text.isBlank() ? text.trim() : null;
        String kid = null;
        String hmac = null;
        if (acme.get("eab") != null) {
            if (acme.get("eab") instanceof Map<?, ?> eab && eab.get("key_id") instanceof String k
                    && eab.get("hmac_key") instanceof String h && !k.isBlank() && !h.isBlank()) {
                kid = k.trim();
                hmac = h.trim();
            } else {
                problems.add(problem("tls.acme.eab", "expected {key_id, hmac_key} as the CA gave them"));
            }
        }
        String challenge = acme.get("challenge") == null ? "http-01" : String.valueOf(acme.get("challenge")).trim();
        if (!challenge.equals("http-01") && !challenge.equals("tls-alpn-01")) {
            problems.add(problem("tls.acme.challenge", "expected http-01 or tls-alpn-01, got \"" + challenge + "\""));
        }
        Dns dns = acme.get("dns") == null ? null : dns(acme.get("dns"), problems);
        return new Acme(directory, email, agree, storage, certificates, roots, kid, hmac, challenge, dns);
    }

    private static Dns dns(Object value, List<ConfigProblem> problems) {
        if (!(value instanceof Map<?, ?> dns)) {
            problems.add(problem("tls.acme.dns", "expected a mapping with provider"));
            return null;
        }
        for (Object key : dns.keySet()) {
            if (!List.of("provider", "url", "token_env", "propagation").contains(key)) {
                problems.add(problem("tls.acme.dns." + key, "unknown key; expected provider, url, token_env or propagation"));
            }
        }
        String provider = String.valueOf(dns.get("provider"));
        URI url = null;
        if (dns.get("url") != null) {
            try {
                url = URI.create(String.valueOf(dns.get("url")).trim());
            } catch (IllegalArgumentException e) {
                problems.add(problem("tls.acme.dns.url", e.getMessage()));
            }
        }
        String tokenEnv = dns.get("token_env") == null ? null : String.valueOf(dns.get("token_env")).trim();
        switch (provider) {
            case "hetzner" -> {
                if (tokenEnv == null || tokenEnv.isEmpty()) {
                    problems.add(problem("tls.acme.dns.token_env", "required for hetzner: the environment variable"
                            + " that holds the API token (e.g. HETZNER_DNS_TOKEN)"));
                }
                if (url == null) {
                    url = HetznerDns.API;
                }
            }
            case "challtestsrv" -> {
                if (url == null) {
                    problems.add(problem("tls.acme.dns.url", "required for challtestsrv: its management URL"));
                }
            }
            default -> problems.add(problem("tls.acme.dns.provider", "expected hetzner or challtestsrv, got \""
                    + provider + "\""));
        }
        Duration propagation = duration(dns.get("propagation"), "tls.acme.dns.propagation",
                provider.equals("hetzner") ? Duration.ofSeconds(30) : Duration.ofMillis(1), problems);
        return new Dns(provider, url, tokenEnv, provider.equals("challtestsrv") && dns.get("propagation") == null
                ? Duration.ZERO : propagation);
    }

    private static Duration duration(Object value, String path, Duration fallback, List<ConfigProblem> problems) {
        if (value == null) {
            return fallback;
        }
        String text = value.toString().trim().toLowerCase(Locale.ROOT);
        try {
            Duration parsed;
            if (text.endsWith("ms")) {
                parsed = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else if (text.endsWith("s")) {
                parsed = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            } else if (text.endsWith("m")) {
                parsed = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            } else if (text.endsWith("h")) {
                parsed = Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1)));
            } else {
                parsed = Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            if (parsed.isNegative() || parsed.isZero()) {
                problems.add(problem(path, "must be positive, got " + value));
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException | DateTimeParseException e) {
            problems.add(problem(path, "expected a duration like 500ms, 5s, 10m or 12h, got \"" + value + "\""));
            return fallback;
        }
    }

    private static ConfigProblem problem(String path, String message) {
        return new ConfigProblem(null, 0, path, message);
    }
}
