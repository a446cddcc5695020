package io.hecate.agent.consul;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.Durations;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code consul} section of the configuration file: where Consul is, and what the agent takes
 * from it and puts in it (see {@code docs/consul.md}).
 *
 * @param address      Consul's HTTP API, {@code http://host:port} or {@code https://host:port}
 * @param token        the ACL token, or {@code null} for none (read from {@code token_file} or the
 *                     environment variable named by {@code token_env}, never written in the file)
 * @param datacenter   the datacenter to ask, or {@code null} for the local agent's
 * @param tls          how to trust Consul's HTTPS (and the client certificate to show), or {@code null}
 * @param prefix       the KV prefix, ending in {@code /}
 * @param kv           whether routes and upstreams are read from KV
 * @param catalog      the catalog source, or {@code null} when services are not read from the catalog
 * @param blockingWait how long one blocking query may wait for a change
 * @param allowEmpty   whether an empty {@code routes/} tree may replace one that had routes
 * @param register     the registration of this node's Hecate in the catalog, or {@code null} for none
 * @param certificates shared ACME storage in Consul, or {@code null} to keep it on local disk
 * @param cacheFile    where the last good answers from Consul are kept for a start while Consul is
 *                     down, or {@code null} for nowhere
 */
public record ConsulSettings(URI address, String token, String datacenter, Tls tls, String prefix, boolean kv,
                             Catalog catalog, Duration blockingWait, boolean allowEmpty, Register register,
                             Certificates certificates, Path cacheFile) {

    public static final URI DEFAULT_ADDRESS = URI.create("http://127.0.0.1:8500");
    public static final String DEFAULT_PREFIX = "hecate/";
    public static final String DEFAULT_TOKEN_ENV = "CONSUL_HTTP_TOKEN";
    /** Consul's own default is 5 minutes; a shorter wait notices a silently dropped connection sooner. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    /** Consul refuses longer waits. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    /**
     * @param caFile   PEM file of the CA that signed Consul's certificate, or {@code null} for the JDK's trust store
     * @param certFile PEM certificate chain to present, or {@code null}
     * @param keyFile  its PKCS#8 PEM private key, or {@code null}
     */
    public record Tls(Path caFile, Path certFile, Path keyFile) {
    }

    /**
     * @param health the check states an instance's checks may all be in to take traffic
     *               ({@code passing}, optionally {@code warning})
     */
    public record Catalog(Set<String> health) {
        public Catalog {
            health = Set.copyOf(health);
        }
    }

    /**
     * @param service           the service name Hecate registers as
     * @param id                the service instance ID, unique per node
     * @param address           the address other nodes reach this Hecate at
     * @param port              the port they reach it on
     * @param tags              tags of the registration
     * @param checkInterval     how often Consul asks {@code /ready}
     * @param deregisterAfter   how long critical before Consul removes the registration itself
     */
    public record Register(String service, String id, String address, int port, List<String> tags,
                           Duration checkInterval, Duration deregisterAfter) {
        public Register {
            tags = List.copyOf(tags);
        }
    }

    /**
     * @param encryptionKey the 256-bit AES key that encrypts private keys stored in Consul
     */
    public record Certificates(byte[] encryptionKey) {
    }

    /** A setting for tests and embedding: KV and catalog on, nothing registered, no shared certificates. */
    public static ConsulSettings of(URI address) {
        return new ConsulSettings(address, null, null, null, DEFAULT_PREFIX, true,
                new Catalog(Set.of("passing")), DEFAULT_WAIT, false, null, null, null);
    }

    public ConsulSettings withToken(String value) {
        return new ConsulSettings(address, value, datacenter, tls, prefix, kv, catalog, blockingWait, allowEmpty, register,
                certificates, cacheFile);
    }

    public ConsulSettings withPrefix(String value) {
        return new ConsulSettings(address, token, datacenter, tls, normalizePrefix(value), kv, catalog, blockingWait,
                allowEmpty, register, certificates, cacheFile);
    }

    public ConsulSettings withWait(Duration value) {
        return new ConsulSettings(address, token, datacenter, tls, prefix, kv, catalog, value, allowEmpty, register,
                certificates, cacheFile);
    }

    public ConsulSettings withAllowEmpty(boolean value) {
        return new ConsulSettings(address, token, datacenter, tls, prefix, kv, catalog, blockingWait, value, register,
                certificates, cacheFile);
    }

    public ConsulSettings withRegister(Register value) {
        return new ConsulSettings(address, token, datacenter, tls, prefix, kv, catalog, blockingWait, allowEmpty, value,
                certificates, cacheFile);
    }

    public ConsulSettings withCertificates(Certificates value) {
        return new ConsulSettings(address, token, datacenter, tls, prefix, kv, catalog, blockingWait, allowEmpty, register,
                value, cacheFile);
    }

    public ConsulSettings withCatalog(Catalog value) {
        return new ConsulSettings(address, token, datacenter, tls, prefix, kv, value, blockingWait, allowEmpty, register,
                certificates, cacheFile);
    }

    public ConsulSettings withTls(Tls value) {
        return new ConsulSettings(address, token, datacenter, value, prefix, kv, catalog, blockingWait, allowEmpty, register,
                certificates, cacheFile);
    }

    public ConsulSettings withDatacenter(String value) {
        return new ConsulSettings(address, token, value, tls, prefix, kv, catalog, blockingWait, allowEmpty, register,
                certificates, cacheFile);
    }

    public ConsulSettings withCacheFile(Path value) {
        return new ConsulSettings(address, token, datacenter, tls, prefix, kv, catalog, blockingWait, allowEmpty, register,
                certificates, value);
    }

    /** {@code hecate} becomes {@code hecate/}; a leading slash is dropped (Consul keys have none). */
    static String normalizePrefix(String prefix) {
        String trimmed = prefix.trim();
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        return trimmed.isEmpty() || trimmed.endsWith("/") ? trimmed : trimmed + "/";
    }

    /**
     * Reads the {@code consul} section as proxy-core passes it on (maps, lists and strings).
     *
     * @param section   {@code ProxyConfig.extension("consul")}
     * @param environment where {@code token_env} and {@code certificates.key_env} are looked up
     * @param defaults  what {@code register} defaults to, taken from the rest of the configuration
     * @throws ConfigException naming every key that is wrong
     */
    public static ConsulSettings from(Object section, Map<String, String> environment, RegisterDefaults defaults)
            throws ConfigException {
        return new SectionReader(environment, defaults).read(section);
    }

    /** What the registration defaults to: this node's name and its HTTP listener's address and port. */
    public record RegisterDefaults(String node, String address, int port) {
    }

    private static final class SectionReader {
        private final List<ConfigProblem> problems = new ArrayList<>();
        private final Map<String, String> environment;
        private final RegisterDefaults defaults;

        SectionReader(Map<String, String> environment, RegisterDefaults defaults) {
            this.environment = environment;
            this.defaults = defaults;
        }

        ConsulSettings read(Object section) throws ConfigException {
            Map<?, ?> consul = mapping(section, "consul", List.of("address", "token_env", "token_file", "datacenter",
                    "tls", "prefix", "kv", "catalog", "wait", "allow_empty", "register", "certificates", "cache_file"));
            URI address = address(consul.get("address"));
            String token = token(consul);
            String datacenter = text(consul.get("datacenter"));
            Tls tls = consul.get("tls") == null ? null : tls(consul.get("tls"));
            String prefix = consul.get("prefix") == null ? DEFAULT_PREFIX : normalizePrefix(text(consul.get("prefix")));
            if (prefix.isEmpty()) {
                problem("consul.prefix", "must not be empty: Hecate's keys need a folder of their own");
            }
            boolean kv = bool(consul.get("kv"), "consul.kv", true);
            Catalog catalog = catalog(consul.get("catalog"));
            Duration wait = duration(consul.get("wait"), "consul.wait", DEFAULT_WAIT);
            if (wait.compareTo(MAX_WAIT) > 0) {
                problem("consul.wait", "must be at most 10m (Consul's limit for blocking queries)");
            }
            boolean allowEmpty = bool(consul.get("allow_empty"), "consul.allow_empty", false);
            Register register = register(consul.get("register"));
            Certificates certificates = consul.get("certificates") == null ? null
                    : certificates(consul.get("certificates"));
            Path cacheFile = path(consul.get("cache_file"));
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return new ConsulSettings(address, token, datacenter, tls, prefix, kv, catalog, wait, allowEmpty,
                    register, certificates, cacheFile);
        }

        private URI address(Object value) {
            if (value == null) {
                return DEFAULT_ADDRESS;
            }
            String text = text(value);
            try {
                URI uri = URI.create(text.contains("://") ? text : "http://" + text);
                if (!List.of("http", "https").contains(uri.getScheme()) || uri.getHost() == null) {
                    problem("consul.address", "expected http://host:port or https://host:port, got \"" + text + "\"");
                    return DEFAULT_ADDRESS;
                }
                return uri;
            } catch (IllegalArgumentException e) {
                problem("consul.address", "is not a URL: " + e.getMessage());
                return DEFAULT_ADDRESS;
            }
        }

        private String token(Map<?, ?> consul) {
            String file = text(consul.get("token_file"));
            if (file != null) {
                try {
                    return java.nio.file.Files.readString(Path.of(file)).trim();
                } catch (java.io.IOException e) {
                    problem("consul.token_file", "cannot read " + file + ": " + e.getMessage());
                    return null;
                }
            }
            String variable = consul.get("token_env") == null ? DEFAULT_TOKEN_ENV : text(consul.get("token_env"));
            String token = environment.get(variable);
            if (token == null || token.isBlank()) {
                if (consul.get("token_env") != null) {
                    problem("consul.token_env", "the environment variable " + variable + " is not set");
                }
                return null;
            }
            return token.trim();
        }

        private Tls tls(Object value) {
            Map<?, ?> tls = mapping(value, "consul.tls", List.of("ca_file", "cert_file", "key_file"));
            Path ca = path(tls.get("ca_file"));
            Path cert = path(tls.get("cert_file"));
            Path key = path(tls.get("key_file"));
            if ((cert == null) != (key == null)) {
                problem("consul.tls", "cert_file and key_file go together");
            }
            return new Tls(ca, cert, key);
        }

        private Catalog catalog(Object value) {
            if (value == null) {
                return new Catalog(Set.of("passing"));
            }
            if ("false".equals(String.valueOf(value)) || "off".equals(String.valueOf(value))) {
                return null;
            }
            Map<?, ?> catalog = mapping(value, "consul.catalog", List.of("enabled", "health"));
            if (!bool(catalog.get("enabled"), "consul.catalog.enabled", true)) {
                return null;
            }
            Object health = catalog.get("health");
            if (health == null) {
                return new Catalog(Set.of("passing"));
            }
            if (!(health instanceof List<?> states) || states.isEmpty()) {
                problem("consul.catalog.health", "expected a list of check states, e.g. [passing, warning]");
                return new Catalog(Set.of("passing"));
            }
            Set<String> accepted = new java.util.TreeSet<>();
            for (Object state : states) {
                String s = String.valueOf(state).trim().toLowerCase(Locale.ROOT);
                if (!s.equals("passing") && !s.equals("warning")) {
                    problem("consul.catalog.health", "expected passing or warning, got \"" + state
                            + "\" (an instance whose check is critical never takes traffic)");
                }
                accepted.add(s);
            }
            if (!accepted.contains("passing")) {
                problem("consul.catalog.health", "must include passing");
            }
            return new Catalog(accepted);
        }

        private Register register(Object value) {
            if (value == null || "false".equals(String.valueOf(value)) || "off".equals(String.valueOf(value))) {
                return null;
            }
            Map<?, ?> register = mapping(value, "consul.register", List.of("service", "id", "address", "port", "tags",
                    "check_interval", "deregister_after"));
            String service = register.get("service") == null ? "hecate" : text(register.get("service"));
            String address = register.get("address") == null ? defaults.address() : text(register.get("address"));
            int port = defaults.port();
            if (register.get("port") != null) {
                try {
                    port = Integer.parseInt(text(register.get("port")));
                } catch (NumberFormatException e) {
                    problem("consul.register.port", "expected a port number, got \"" + register.get("port") + "\"");
                }
            }
            String id = register.get("id") == null ? service + "-" + defaults.node() + "-" + port
                    : text(register.get("id"));
            List<String> tags = new ArrayList<>();
            if (register.get("tags") instanceof List<?> list) {
                list.forEach(t -> tags.add(String.valueOf(t)));
            } else if (register.get("tags") != null) {
                problem("consul.register.tags", "expected a list of tags");
            }
            return new Register(service, id, address, port, tags,
                    duration(register.get("check_interval"), "consul.register.check_interval", Duration.ofSeconds(10)),
                    duration(register.get("deregister_after"), "consul.register.deregister_after",
                            Duration.ofMinutes(10)));
        }

        private Certificates certificates(Object value) {
            Map<?, ?> certificates = mapping(value, "consul.certificates", List.of("key_file", "key_env"));
            String file = text(certificates.get("key_file"));
            String variable = text(certificates.get("key_env"));
            String encoded = null;
            String where = "consul.certificates";
            if (file != null) {
                where = "consul.certificates.key_file";
                try {
                    encoded = java.nio.file.Files.readString(Path.of(file)).trim();
                } catch (java.io.IOException e) {
                    problem(where, "cannot read " + file + ": " + e.getMessage());
                    return null;
                }
            } else if (variable != null) {
                where = "consul.certificates.key_env";
                encoded = environment.get(variable);
                if (encoded == null || encoded.isBlank()) {
                    problem(where, "the environment variable " + variable + " is not set");
                    return null;
                }
            } else {
                problem(where, "needs key_file or key_env: private keys are stored in Consul encrypted only");
                return null;
            }
            byte[] key;
            try {
                key = java.util.Base64.getDecoder().decode(encoded.trim());
            } catch (IllegalArgumentException e) {
                problem(where, "expected 32 bytes in base64 (make one with: head -c 32 /dev/urandom | base64)");
                return null;
            }
            if (key.length != 32) {
                problem(where, "expected a 256-bit key (32 bytes in base64), got " + key.length + " bytes");
                return null;
            }
            return new Certificates(key);
        }

        private Map<?, ?> mapping(Object value, String path, List<String> keys) {
            if (value == null) {
                return Map.of();
            }
            if (!(value instanceof Map<?, ?> map)) {
                problem(path, "expected a mapping");
                return Map.of();
            }
            for (Object key : map.keySet()) {
                if (!keys.contains(String.valueOf(key))) {
                    problem(path + "." + key, "unknown key; expected one of " + String.join(", ", keys));
                }
            }
            return map;
        }

        private boolean bool(Object value, String path, boolean fallback) {
            if (value == null) {
                return fallback;
            }
            String text = String.valueOf(value).trim();
            if (text.equals("true") || text.equals("false")) {
                return Boolean.parseBoolean(text);
            }
            problem(path, "expected true or false, got \"" + text + "\"");
            return fallback;
        }

        private Duration duration(Object value, String path, Duration fallback) {
            if (value == null) {
                return fallback;
            }
            try {
                Duration parsed = Durations.parse(String.valueOf(value));
                if (parsed.isZero() || parsed.isNegative()) {
                    problem(path, "must be positive, got " + value);
                    return fallback;
                }
                return parsed;
            } catch (IllegalArgumentException e) {
                problem(path, e.getMessage());
                return fallback;
            }
        }

        private static Path path(Object value) {
            String text = text(value);
            return text == null ? null : Path.of(text);
        }

        private static String text(Object value) {
            if (value == null) {
                return null;
            }
            String text = String.valueOf(value).trim();
            return text.isEmpty() ? null : text;
        }

        private void problem(String path, String message) {
            problems.add(new ConfigProblem(null, 0, path, message));
        }
    }
}
