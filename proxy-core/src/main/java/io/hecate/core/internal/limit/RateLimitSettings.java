package io.hecate.core.internal.limit;

import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.Durations;
import io.hecate.core.internal.config.HttpSyntax;
import io.hecate.core.internal.config.NetworkSyntax;
import io.hecate.core.internal.config.Suggestions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of one {@code rate_limit} filter, read from its {@link FilterConfig}; every mistake
 * is an {@link IllegalArgumentException} naming the setting ({@code limits[1].per: ...}).
 *
 * <pre>{@code
 * - type: rate_limit
 *   limits:
 *     - { key: client_address, requests: 10, per: 1s, burst: 5 }
 *     - { name: per-user, key: user, requests: 600, per: 1m }
 *     - { key: route, requests: 1000, per: 1s, scope: cluster }
 *   redis: { address: "127.0.0.1:6379", timeout: 50ms }
 *   headers: refused                # or always
 * }</pre>
 *
 * A filter with a single limit may give its keys directly, without {@code limits}.
 */
record RateLimitSettings(List<LimitSpec> limits, RedisSettings redis, boolean headersAlways) {

    static final int DEFAULT_MAX_KEYS = 10_000;
    static final int MAX_MAX_KEYS = 10_000_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final List<String> FILTER_KEYS = List.of("limits", "redis", "headers");
    private static final List<String> LIMIT_KEYS =
            List.of("name", "key", "requests", "per", "burst", "max_keys", "scope");
    private static final List<String> REDIS_KEYS =
            List.of("address", "password", "database", "timeout", "retry_interval", "prefix");

    /** Where cluster-scope buckets live and how long a decision may wait for Redis. */
    record RedisSettings(String host, int port, String password, int database, Duration timeout,
                         Duration retryInterval, String prefix) {

        static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
        static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);
        static final String DEFAULT_PREFIX = "hecate:rl:";

        String address() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public String toString() {
            return "RedisSettings[" + address() + ", db " + database + "]";
        }
    }

    static RateLimitSettings parse(FilterConfig config) {
        Map<String, Object> settings = config.settings();
        boolean single = !settings.containsKey("limits");
        List<String> allowed = new ArrayList<>(FILTER_KEYS);
        if (single) {
            allowed.addAll(LIMIT_KEYS);
        }
        unknownKeys("", settings, allowed);
        List<LimitSpec> limits = new ArrayList<>();
        if (single) {
            Map<String, Object> limit = new java.util.LinkedHashMap<>(settings);
            FILTER_KEYS.forEach(limit::remove);
            if (!limit.containsKey("requests")) {
                throw new IllegalArgumentException("limits: required: a list of limits, e.g. "
                        + "[{ key: client_address, requests: 10, per: 1s }] (or one limit's keys on the filter itself)");
            }
            limits.add(limit("", limit));
        } else {
            Object list = settings.get("limits");
            if (!(list instanceof List<?> items) || items.isEmpty()) {
                throw new IllegalArgumentException("limits: expected a non-empty list of limits, got " + describe(list));
            }
            for (int i = 0; i < items.size(); i++) {
                String path = "limits[" + i + "]";
                if (!(items.get(i) instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException(path + ": expected a mapping, got " + describe(items.get(i)));
                }
                limits.add(limit(path + ".", cast(map)));
            }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < limits.size(); i++) {
            if (!names.add(limits.get(i).name())) {
                throw new IllegalArgumentException((single ? "" : "limits[" + i + "].") + "name: \""
                        + limits.get(i).name() + "\" is used by another limit of this filter; give each a name");
            }
        }
        RedisSettings redis = settings.containsKey("redis") ? redis(settings.get("redis")) : null;
        if (redis == null) {
            for (int i = 0; i < limits.size(); i++) {
                if (limits.get(i).cluster()) {
                    throw new IllegalArgumentException((single ? "" : "limits[" + i + "].")
                            + "scope: cluster needs the filter's redis setting, e.g. redis: { address: \"127.0.0.1:6379\" }");
                }
            }
        }
        String headers = string(settings, "headers", "refused");
        if (!headers.equals("refused") && !headers.equals("always")) {
            throw new IllegalArgumentException("headers: expected refused or always, got \"" + headers + "\"");
        }
        return new RateLimitSettings(List.copyOf(limits), redis, headers.equals("always"));
    }

    private static LimitSpec limit(String path, Map<String, Object> limit) {
        unknownKeys(path, limit, LIMIT_KEYS);
        LimitKey key = key(path + "key", limit.getOrDefault("key", "client_address"));
        long requests = whole(limit, path, "requests", -1);
        if (requests < 1) {
            throw new IllegalArgumentException(path + "requests: required: requests allowed per period, at least 1"
                    + (requests == -1 ? "" : ", got " + requests));
        }
        Duration per = duration(limit, path, "per", Duration.ofSeconds(1));
        if (per.isZero() || per.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException(path + "per: must be a whole number of seconds such as 1s or 1m"
                    + " (the RateLimit-Policy header counts in seconds), got " + Durations.format(per));
        }
        long burst = whole(limit, path, "burst", requests);
        if (burst < 1) {
            throw new IllegalArgumentException(path + "burst: must be at least 1, got " + burst);
        }
        long maxKeys = whole(limit, path, "max_keys", DEFAULT_MAX_KEYS);
        if (maxKeys < 1 || maxKeys > MAX_MAX_KEYS) {
            throw new IllegalArgumentException(path + "max_keys: must be 1.." + MAX_MAX_KEYS + ", got " + maxKeys);
        }
        String scope = string(limit, path + "scope", "local");
        if (!scope.equals("local") && !scope.equals("cluster")) {
            throw new IllegalArgumentException(path + "scope: expected local or cluster, got \"" + scope + "\"");
        }
        String name = string(limit, path + "name", defaultName(key));
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(path + "name: \"" + name + "\" must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return new LimitSpec(name, key, requests, per, burst, (int) maxKeys, scope.equals("cluster"));
    }

    private static String defaultName(LimitKey key) {
        return switch (key.kind()) {
            case CLIENT_ADDRESS -> "client_address";
            case ROUTE -> "route";
            case USER -> "user";
            case HEADER -> "header-" + key.header().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code client_address}, {@code route}, {@code user}, {@code { header: NAME }} or {@code { user: NAME }}. */
    private static LimitKey key(String path, Object value) {
        if (value instanceof String text) {
            return switch (text) {
                case "client_address" -> LimitKey.CLIENT_ADDRESS;
                case "route" -> LimitKey.ROUTE;
                case "user" -> new LimitKey(LimitKey.Kind.USER, LimitKey.DEFAULT_USER_HEADER);
                default -> throw new IllegalArgumentException(path + ": expected client_address, route, user,"
                        + " { header: NAME } or { user: NAME }, got \"" + text + "\""
                        + Suggestions.closest(text, List.of("client_address", "route", "user"))
                        .map(s -> " (did you mean \"" + s + "\"?)").orElse(""));
            };
        }
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            Object kind = map.keySet().iterator().next();
            Object header = map.values().iterator().next();
            if ((kind.equals("header") || kind.equals("user")) && header instanceof String name) {
                if (!HttpSyntax.isToken(name)) {
                    throw new IllegalArgumentException(path + "." + kind + ": \"" + name + "\" is not a header name");
                }
                return new LimitKey(kind.equals("header") ? LimitKey.Kind.HEADER : LimitKey.Kind.USER, name);
            }
        }
        throw new IllegalArgumentException(path + ": expected client_address, route, user, { header: NAME }"
                + " or { user: NAME }, got " + describe(value));
    }

    private static RedisSettings redis(Object value) {
        if (value instanceof String address) {
            value = Map.of("address", address);
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw new IllegalArgumentException("redis: expected a mapping like { address: \"127.0.0.1:6379\" }, got "
                    + describe(value));
        }
        Map<String, Object> redis = cast(raw);
        unknownKeys("redis.", redis, REDIS_KEYS);
        String address = string(redis, "redis.address", null);
        if (address == null) {
            throw new IllegalArgumentException("redis.address: required, e.g. \"127.0.0.1:6379\"");
        }
        NetworkSyntax.hostPortProblem(address).ifPresent(problem -> {
            throw new IllegalArgumentException("redis.address: " + problem);
        });
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(address.substring(colon + 1));
        long database = whole(redis, "redis.", "database", 0);
        if (database < 0 || database > 15) {
            throw new IllegalArgumentException("redis.database: must be 0..15, got " + database);
        }
        Duration timeout = duration(redis, "redis.", "timeout", RedisSettings.DEFAULT_TIMEOUT);
        Duration retry = duration(redis, "redis.", "retry_interval", RedisSettings.DEFAULT_RETRY_INTERVAL);
        for (Map.Entry<String, Duration> d : Map.of("timeout", timeout, "retry_interval", retry).entrySet()) {
            if (d.getValue().isZero() || d.getValue().isNegative()) {
                throw new IllegalArgumentException("redis." + d.getKey() + ": must be positive");
            }
        }
        String prefix = string(redis, "redis.prefix", RedisSettings.DEFAULT_PREFIX);
        return new RedisSettings(host, port, string(redis, "redis.password", null), (int) database, timeout, retry,
                prefix);
    }

    // ---- plain value helpers ------------------------------------------------------------------------

    private static void unknownKeys(String path, Map<String, Object> settings, List<String> allowed) {
        for (String key : settings.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(path + key + ": unknown setting (expected one of: "
                        + String.join(", ", allowed)
                        + Suggestions.closest(key, allowed).map(s -> "; did you mean \"" + s + "\"?").orElse("") + ")");
            }
        }
    }

    private static long whole(Map<String, Object> settings, String path, String key, long fallback) {
        Object value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException(path + key + ": expected a whole number, got " + describe(value));
    }

    private static Duration duration(Map<String, Object> settings, String path, String key, Duration fallback) {
        Object value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException(path + key + ": expected a duration like 1s or 1m, got " + describe(value));
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + key + ": " + e.getMessage());
        }
    }

    /** @param path the full key path, for the message */
    private static String string(Map<String, Object> settings, String path, String fallback) {
        String key = path.substring(path.lastIndexOf('.') + 1);
        Object value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException(path + ": expected a string, got " + describe(value));
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }
}
