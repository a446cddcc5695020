package io.hecate.core.config;

import java.time.Duration;
import java.util.List;

/**
 * The downstream HTTP listener and the limits that protect it.
 *
 * @param http             where downstream connections are accepted
 * @param headerTimeout    longest wait for a complete request head (slowloris guard), answered 408
 * @param idleTimeout      a connection with no traffic for this long is closed
 * @param maxRequestLine   longest accepted request line in bytes (414 beyond)
 * @param maxHeaderBytes   largest accepted header section in bytes (431 beyond)
 * @param trustedProxies   CIDRs whose X-Forwarded-* headers are believed and extended
 * @param maxConcurrentStreams  HTTP/2 streams one client connection may have open at once
 *                         (SETTINGS_MAX_CONCURRENT_STREAMS); each stream is one exchange
 * @param maxConnections   client connections open at once, 0 for no limit; more are closed at accept
 * @param maxConnectionsPerClient  client connections open at once from one address, 0 for no limit
 * @param bodyTimeout      longest wait for the next part of a request body while Hecate is ready
 *                         to take it (slow-body guard), answered 408
 * @param https            where TLS connections are accepted, or {@code null} for no HTTPS listener;
 *                         needs a {@link io.hecate.core.tls.TlsContextProvider} given to
 *                         {@code Hecate.Builder.tls(...)}
 */
public record ListenConfig(ListenAddress http, Duration headerTimeout, Duration idleTimeout,
                           int maxRequestLine, int maxHeaderBytes, List<String> trustedProxies,
                           int maxConcurrentStreams, int maxConnections, int maxConnectionsPerClient,
                           Duration bodyTimeout, ListenAddress https) {

    public static final ListenAddress DEFAULT_HTTP = new ListenAddress("127.0.0.1", 8080);
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_REQUEST_LINE = 8192;
    public static final int DEFAULT_MAX_HEADER_BYTES = 16384;
    /** Go's net/http default; enough for browsers (about 100) and gRPC clients, and bounds memory per connection. */
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 250;
    public static final int NO_LIMIT = 0;

    public ListenConfig {
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** Without an HTTPS listener. */
    public ListenConfig(ListenAddress http, Duration headerTimeout, Duration idleTimeout,
                        int maxRequestLine, int maxHeaderBytes, List<String> trustedProxies,
                        int maxConcurrentStreams, int maxConnections, int maxConnectionsPerClient,
                        Duration bodyTimeout) {
        this(http, headerTimeout, idleTimeout, maxRequestLine, maxHeaderBytes, trustedProxies,
                maxConcurrentStreams, maxConnections, maxConnectionsPerClient, bodyTimeout, null);
    }

    /** With the default {@link #DEFAULT_MAX_CONCURRENT_STREAMS}. */
    public ListenConfig(ListenAddress http, Duration headerTimeout, Duration idleTimeout,
                        int maxRequestLine, int maxHeaderBytes, List<String> trustedProxies) {
        this(http, headerTimeout, idleTimeout, maxRequestLine, maxHeaderBytes, trustedProxies,
                DEFAULT_MAX_CONCURRENT_STREAMS, NO_LIMIT, NO_LIMIT, DEFAULT_BODY_TIMEOUT, null);
    }

    public ListenConfig withMaxConcurrentStreams(int streams) {
        return new ListenConfig(http, headerTimeout, idleTimeout, maxRequestLine, maxHeaderBytes, trustedProxies,
                streams, maxConnections, maxConnectionsPerClient, bodyTimeout, https);
    }

    /** @param total connections open at once, 0 for no limit
     *  @param perClient connections open at once from one client address, 0 for no limit */
    public ListenConfig withConnectionLimits(int total, int perClient) {
        return new ListenConfig(http, headerTimeout, idleTimeout, maxRequestLine, maxHeaderBytes, trustedProxies,
                maxConcurrentStreams, total, perClient, bodyTimeout, https);
    }

    public ListenConfig withBodyTimeout(Duration timeout) {
        return new ListenConfig(http, headerTimeout, idleTimeout, maxRequestLine, maxHeaderBytes, trustedProxies,
                maxConcurrentStreams, maxConnections, maxConnectionsPerClient, timeout, https);
    }

    /** @param address where TLS connections are accepted, or {@code null} for none */
    public ListenConfig withHttps(ListenAddress address) {
        return new ListenConfig(http, headerTimeout, idleTimeout, maxRequestLine, maxHeaderBytes, trustedProxies,
                maxConcurrentStreams, maxConnections, maxConnectionsPerClient, bodyTimeout, address);
    }

    public static ListenConfig defaults() {
        return on(DEFAULT_HTTP);
    }

    public static ListenConfig on(ListenAddress http) {
        return new ListenConfig(http, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_BYTES, List.of());
    }
}
