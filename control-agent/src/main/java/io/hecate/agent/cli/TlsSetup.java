package io.hecate.agent.cli;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ProxyConfig;
import io.hecate.tls.TlsSettings;

/**
 * Checks the {@code tls} section for {@code hecate validate}; {@code hecate run} installs proxy-tls
 * with {@link io.hecate.tls.TlsModule}. TLS is set up once, at start: certificate files are then
 * watched and ACME certificates renewed, but adding {@code listen.https} to a running Hecate that
 * started without it is rejected (restart it), as is a changed {@code tls} section (it takes effect
 * at the next start).
 */
final class TlsSetup {

    private TlsSetup() {
    }

    static void validate(ProxyConfig config) throws ConfigException {
        if (config.listen().https() != null || config.extension("tls") != null) {
            TlsSettings.from(config.extension("tls"));
        }
    }
}
