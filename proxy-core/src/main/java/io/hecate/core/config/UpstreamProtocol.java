package io.hecate.core.config;

import java.util.Locale;

/** How Hecate talks to the targets of an upstream. */
public enum UpstreamProtocol {

    /** HTTP/1.1, one exchange at a time per pooled connection (the default). */
    HTTP1("http1"),
    /**
     * HTTP/2 over cleartext with prior knowledge: a few multiplexed connections per target and
     * event loop, one stream per exchange. Required for gRPC targets.
     */
    H2C("h2c");

    private final String key;

    UpstreamProtocol(String key) {
        this.key = key;
    }

    /** The spelling in the configuration file. */
    public String key() {
        return key;
    }

    /** @return the protocol spelled {@code text} (case-insensitive), or {@code null} for an unknown one */
    public static UpstreamProtocol parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (UpstreamProtocol protocol : values()) {
            if (protocol.key.equals(wanted)) {
                return protocol;
            }
        }
        return null;
    }
}
