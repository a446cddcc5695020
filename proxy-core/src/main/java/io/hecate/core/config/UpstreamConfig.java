package io.hecate.core.config;

import java.time.Duration;
import java.util.List;

/**
 * A named pool of targets.
 *
 * @param targets         the servers, picked by smooth weighted round-robin
 * @param connectTimeout  longest wait for a TCP connection to a target (504 beyond)
 * @param idleTimeout     a pooled connection unused for this long is closed; keep it below the
 *                        targets' own keep-alive timeout so they never close one we are about to use
 * @param maxLifetime     a connection older than this is not reused
 * @param maxIdlePerLoop  idle connections kept per target and event loop
 * @param protocol        how the targets are spoken to: HTTP/1.1 (the default) or HTTP/2 cleartext
 */
public record UpstreamConfig(List<TargetConfig> targets, Duration connectTimeout, Duration idleTimeout,
                             Duration maxLifetime, int maxIdlePerLoop, UpstreamProtocol protocol) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_IDLE_PER_LOOP = 64;

    public static final UpstreamProtocol DEFAULT_PROTOCOL = UpstreamProtocol.HTTP1;

    /** A missing protocol is HTTP/1.1. */
    public UpstreamConfig {
        targets = List.copyOf(targets);
        protocol = protocol == null ? DEFAULT_PROTOCOL : protocol;
    }

    /** An HTTP/1.1 upstream. */
    public UpstreamConfig(List<TargetConfig> targets, Duration connectTimeout, Duration idleTimeout,
                          Duration maxLifetime, int maxIdlePerLoop) {
        this(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, DEFAULT_PROTOCOL);
    }

    public static UpstreamConfig of(TargetConfig... targets) {
        return new UpstreamConfig(List.of(targets), DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_LIFETIME, DEFAULT_MAX_IDLE_PER_LOOP);
    }

    public static UpstreamConfig of(String... addresses) {
        return of(java.util.Arrays.stream(addresses).map(TargetConfig::of).toArray(TargetConfig[]::new));
    }

    public UpstreamConfig withProtocol(UpstreamProtocol newProtocol) {
        return new UpstreamConfig(targets, connectTimeout, idleTimeout, maxLifetime, maxIdlePerLoop, newProtocol);
    }
}
