package io.hecate.agent.cli;

import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ProxyConfig;
import io.hecate.tls.HecateTls;
import io.hecate.tls.TlsSettings;

/**
 * Installs proxy-tls when the configuration asks for HTTPS ({@code listen.https}) or has a
 * {@code tls} section. TLS is set up once, at start: the certificate files are then watched and
 * reloaded, but adding {@code listen.https} to a running Hecate that started without it is
 * rejected (restart it), as is a changed {@code tls} section (it takes effect at the next start).
 */
final class TlsSetup {

    private TlsSetup() {
    }

    /** @return the started provider (to close at exit), or {@code null} when the configuration has no HTTPS */
    static HecateTls install(Hecate.Builder builder, ProxyConfig config) throws ConfigException {
        if (config.listen().https() == null && config.extension("tls") == null) {
            return null;
        }
        HecateTls tls = HecateTls.start(TlsSettings.from(config.extension("tls")));
        builder.tls(tls).metrics(tls::renderMetrics).adminEndpoint("/certs", tls::certsJson);
        return tls;
    }

    /** Checks the {@code tls} section without loading anything (for {@code hecate validate}). */
    static void validate(ProxyConfig config) throws ConfigException {
        if (config.listen().https() != null || config.extension("tls") != null) {
            TlsSettings.from(config.extension("tls"));
        }
    }
}
