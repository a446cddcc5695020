package io.hecate.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole proxy configuration: the model the YAML file maps to, and what an embedding application
 * builds in code. Immutable; a new configuration is applied by handing a new instance to
 * {@link io.hecate.core.Hecate#apply(ProxyConfig)}.
 *
 * @param extensions top-level sections that belong to modules, not to proxy-core ({@code tls},
 *                   read by proxy-tls; {@code consul}, read by the control agent), passed through unread as plain values: a
 *                   {@code Map<String, Object>} for a mapping, a {@code List<Object>} for a
 *                   sequence, a {@code String} for a scalar, {@code null} for null
 */
public record ProxyConfig(ListenConfig listen, AdminConfig admin, AccessLogConfig accessLog,
                          Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes,
                          Duration drainTimeout, Map<String, Object> extensions) {

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** The top-level sections the YAML file may have for modules. */
    public static final List<String> EXTENSION_SECTIONS = List.of("tls", "consul");

    public ProxyConfig {
        upstreams = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
        routes = List.copyOf(routes);
        extensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
    }

    /** Without module sections. */
    public ProxyConfig(ListenConfig listen, AdminConfig admin, AccessLogConfig accessLog,
                       Map<String, UpstreamConfig> upstreams, List<RouteConfig> routes, Duration drainTimeout) {
        this(listen, admin, accessLog, upstreams, routes, drainTimeout, Map.of());
    }

    /** A module's section ({@code tls}), or {@code null} when the configuration has none. */
    public Object extension(String section) {
        return extensions.get(section);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a configuration in code; every part not given keeps its documented default. */
    public static final class Builder {
        private ListenConfig listen = ListenConfig.defaults();
        private AdminConfig admin = AdminConfig.defaults();
        private AccessLogConfig accessLog = AccessLogConfig.defaults();
        private final Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        private final List<RouteConfig> routes = new ArrayList<>();
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private final Map<String, Object> extensions = new LinkedHashMap<>();

        public Builder listen(ListenConfig value) {
            this.listen = value;
            return this;
        }

        public Builder listen(String httpAddress) {
            return listen(ListenConfig.on(ListenAddress.parse(httpAddress)));
        }

        public Builder admin(AdminConfig value) {
            this.admin = value;
            return this;
        }

        public Builder accessLog(AccessLogConfig value) {
            this.accessLog = value;
            return this;
        }

        public Builder upstream(String name, UpstreamConfig upstream) {
            upstreams.put(name, upstream);
            return this;
        }

        public Builder route(RouteConfig route) {
            routes.add(route);
            return this;
        }

        public Builder drainTimeout(Duration value) {
            this.drainTimeout = value;
            return this;
        }

        /** A module's section, as plain values (see {@link ProxyConfig#extensions()}). */
        public Builder extension(String section, Object value) {
            extensions.put(section, value);
            return this;
        }

        public ProxyConfig build() {
            return new ProxyConfig(listen, admin, accessLog, upstreams, routes, drainTimeout, extensions);
        }
    }
}
