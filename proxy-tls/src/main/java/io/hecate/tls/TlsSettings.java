package io.hecate.tls;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;

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
public record TlsSettings(List<CertificateFiles> certificates, Duration watchInterval, Duration ticketKeyRotation) {

    public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TICKET_KEY_ROTATION = Duration.ofHours(12);

    public TlsSettings {
        certificates = List.copyOf(certificates);
    }

    /** A certificate chain and its key, both PEM files. */
    public record CertificateFiles(Path cert, Path key) {
    }

    public static TlsSettings of(CertificateFiles... certificates) {
        return new TlsSettings(List.of(certificates), DEFAULT_WATCH_INTERVAL, DEFAULT_TICKET_KEY_ROTATION);
    }

    public TlsSettings withWatchInterval(Duration interval) {
        return new TlsSettings(certificates, interval, ticketKeyRotation);
    }

    public TlsSettings withTicketKeyRotation(Duration rotation) {
        return new TlsSettings(certificates, watchInterval, rotation);
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
            if (!List.of("certificates", "watch_interval", "ticket_key_rotation").contains(key)) {
                problems.add(problem("tls." + key, "unknown key; expected certificates, watch_interval or ticket_key_rotation"));
            }
        }
        Object list = tls.get("certificates");
        if (!(list instanceof List<?> entries) || entries.isEmpty()) {
            problems.add(problem("tls.certificates", "expected a list of {cert, key} with at least one entry"));
        } else {
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
        return new TlsSettings(certificates, watch, rotation);
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
