package io.hecate.core.internal.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.hecate.core.config.BalanceConfig;
import io.hecate.core.config.CircuitBreakerConfig;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.HealthCheckConfig;
import io.hecate.core.config.HeaderRules;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.OutlierDetectionConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RedirectAction;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.SecurityHeadersConfig;
import io.hecate.core.config.TargetConfig;
import io.hecate.core.config.UpstreamConfig;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders the active configuration for the admin API in the YAML file's key names. Filter
 * settings whose names suggest a secret are redacted.
 */
public final class ConfigJson {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Pattern SECRET = Pattern.compile("(?i).*(secret|password|token|key|credential).*");
    static final String REDACTED = "<redacted>";

    private ConfigJson() {
    }

    /** Status of the last reload plus the configuration itself. */
    public static String render(ProxyConfig config, long version, String source, String appliedAt, String lastError) {
        return write(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("status");
            json.writeNumberField("version", version);
            json.writeStringField("source", source);
            json.writeStringField("applied_at", appliedAt);
            json.writeStringField("last_error", lastError);
            json.writeEndObject();
            json.writeFieldName("config");
            config(json, config);
            json.writeEndObject();
        });
    }

    /** The routes in table order with their matches and actions. */
    public static String routes(ProxyConfig config) {
        return write(json -> {
            json.writeStartArray();
            for (RouteConfig route : config.routes()) {
                route(json, route);
            }
            json.writeEndArray();
        });
    }

    private static void config(JsonGenerator json, ProxyConfig config) throws IOException {
        json.writeStartObject();
        json.writeObjectFieldStart("listen");
        json.writeStringField("http", config.listen().http().toString());
        if (config.listen().https() != null) {
            json.writeStringField("https", config.listen().https().toString());
        }
        json.writeStringField("header_timeout", duration(config.listen().headerTimeout()));
        json.writeStringField("idle_timeout", duration(config.listen().idleTimeout()));
        json.writeNumberField("max_request_line", config.listen().maxRequestLine());
        json.writeNumberField("max_header_size", config.listen().maxHeaderBytes());
        strings(json, "trusted_proxies", config.listen().trustedProxies());
        json.writeNumberField("max_concurrent_streams", config.listen().maxConcurrentStreams());
        json.writeNumberField("max_connections", config.listen().maxConnections());
        json.writeNumberField("max_connections_per_client", config.listen().maxConnectionsPerClient());
        json.writeStringField("body_timeout", duration(config.listen().bodyTimeout()));
        json.writeEndObject();
        json.writeObjectFieldStart("admin");
        json.writeStringField("listen", config.admin().enabled() ? config.admin().listen().toString() : "off");
        json.writeEndObject();
        json.writeObjectFieldStart("access_log");
        json.writeStringField("output", config.accessLog().output());
        json.writeNumberField("queue_size", config.accessLog().queueSize());
        json.writeEndObject();
        json.writeStringField("drain_timeout", duration(config.drainTimeout()));
        json.writeObjectFieldStart("upstreams");
        for (Map.Entry<String, UpstreamConfig> entry : config.upstreams().entrySet()) {
            UpstreamConfig upstream = entry.getValue();
            json.writeObjectFieldStart(entry.getKey());
            json.writeArrayFieldStart("targets");
            for (TargetConfig target : upstream.targets()) {
                json.writeStartObject();
                json.writeStringField("address", target.address());
                json.writeNumberField("weight", target.weight());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeStringField("connect_timeout", duration(upstream.connectTimeout()));
            json.writeStringField("idle_timeout", duration(upstream.idleTimeout()));
            json.writeStringField("max_lifetime", duration(upstream.maxLifetime()));
            json.writeNumberField("max_idle_per_loop", upstream.maxIdlePerLoop());
            balance(json, upstream.balance());
            healthCheck(json, upstream.healthCheck());
            outlierDetection(json, upstream.outlierDetection());
            json.writeStringField("protocol", upstream.protocol().key());
            circuitBreaker(json, upstream.circuitBreaker());
            json.writeNumberField("max_concurrent_requests", upstream.maxConcurrentRequests());
            json.writeEndObject();
        }
        json.writeEndObject();
        json.writeArrayFieldStart("routes");
        for (RouteConfig route : config.routes()) {
            route(json, route);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void balance(JsonGenerator json, BalanceConfig balance) throws IOException {
        json.writeObjectFieldStart("balance");
        json.writeStringField("policy", balance.policy().configName());
        if (balance.hashOn() != null) {
            hashOn(json, balance.hashOn());
        }
        json.writeEndObject();
    }

    static void hashOn(JsonGenerator json, BalanceConfig.HashOn hashOn) throws IOException {
        json.writeObjectFieldStart("hash_on");
        optional(json, "header", hashOn.header());
        optional(json, "cookie", hashOn.cookie());
        if (hashOn.clientAddress()) {
            json.writeBooleanField("client_address", true);
        }
        json.writeEndObject();
    }

    private static void healthCheck(JsonGenerator json, HealthCheckConfig check) throws IOException {
        if (check == null) {
            return;
        }
        json.writeObjectFieldStart("health_check");
        json.writeStringField("path", check.path());
        json.writeStringField("interval", duration(check.interval()));
        json.writeStringField("timeout", duration(check.timeout()));
        json.writeArrayFieldStart("expected_statuses");
        for (Integer status : check.expectedStatuses()) {
            json.writeNumber(status);
        }
        json.writeEndArray();
        json.writeNumberField("healthy_threshold", check.healthyThreshold());
        json.writeNumberField("unhealthy_threshold", check.unhealthyThreshold());
        json.writeBooleanField("start_healthy", check.startHealthy());
        json.writeEndObject();
    }

    private static void outlierDetection(JsonGenerator json, OutlierDetectionConfig outliers) throws IOException {
        if (!outliers.enabled()) {
            json.writeStringField("outlier_detection", "off");
            return;
        }
        json.writeObjectFieldStart("outlier_detection");
        json.writeNumberField("consecutive_failures", outliers.consecutiveFailures());
        json.writeBooleanField("count_5xx", outliers.count5xx());
        json.writeStringField("base_ejection_time", duration(outliers.baseEjectionTime()));
        json.writeStringField("max_ejection_time", duration(outliers.maxEjectionTime()));
        json.writeNumberField("max_ejection_percent", outliers.maxEjectionPercent());
        json.writeEndObject();
    }

    private static void circuitBreaker(JsonGenerator json, CircuitBreakerConfig breaker) throws IOException {
        if (breaker == null) {
            json.writeStringField("circuit_breaker", "off");
            return;
        }
        json.writeObjectFieldStart("circuit_breaker");
        json.writeNumberField("failure_rate", breaker.failureRate());
        json.writeNumberField("slow_call_rate", breaker.slowCallRate());
        json.writeStringField("slow_call_duration", duration(breaker.slowCallDuration()));
        json.writeNumberField("window", breaker.window());
        json.writeNumberField("minimum_calls", breaker.minimumCalls());
        json.writeStringField("open_for", duration(breaker.openFor()));
        json.writeNumberField("half_open_calls", breaker.halfOpenCalls());
        json.writeEndObject();
    }

    private static void securityHeaders(JsonGenerator json, SecurityHeadersConfig headers) throws IOException {
        if (headers == null) {
            return;
        }
        json.writeObjectFieldStart("security_headers");
        optional(json, "hsts", headers.hsts());
        optional(json, "content_type_options", headers.contentTypeOptions());
        optional(json, "frame_options", headers.frameOptions());
        optional(json, "referrer_policy", headers.referrerPolicy());
        optional(json, "content_security_policy", headers.contentSecurityPolicy());
        optional(json, "permissions_policy", headers.permissionsPolicy());
        strings(json, "remove", headers.remove());
        json.writeBooleanField("override", headers.override());
        json.writeEndObject();
    }

    private static void route(JsonGenerator json, RouteConfig route) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", route.id());
        match(json, route.match());
        action(json, route.action());
        securityHeaders(json, route.securityHeaders());
        if (!route.filters().isEmpty()) {
            json.writeArrayFieldStart("filters");
            for (FilterConfig filter : route.filters()) {
                json.writeStartObject();
                json.writeStringField("type", filter.type());
                for (Map.Entry<String, Object> setting : filter.settings().entrySet()) {
                    json.writeFieldName(setting.getKey());
                    if (SECRET.matcher(setting.getKey()).matches()) {
                        json.writeString(REDACTED);
                    } else {
                        value(json, setting.getValue());
                    }
                }
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private static void match(JsonGenerator json, MatchConfig match) throws IOException {
        json.writeObjectFieldStart("match");
        optional(json, "host", match.host());
        optional(json, "path", match.path());
        optional(json, "path_prefix", match.pathPrefix());
        optional(json, "path_regex", match.pathRegex());
        optional(json, "scheme", match.scheme());
        if (!match.methods().isEmpty()) {
            strings(json, "methods", match.methods());
        }
        if (!match.headers().isEmpty()) {
            stringMap(json, "headers", match.headers());
        }
        json.writeEndObject();
    }

    private static void action(JsonGenerator json, RouteAction action) throws IOException {
        if (action instanceof ProxyAction proxy) {
            json.writeObjectFieldStart("proxy");
            json.writeStringField("upstream", proxy.upstream());
            optional(json, "strip_prefix", proxy.stripPrefix());
            if (proxy.rewrite() != null) {
                json.writeObjectFieldStart("rewrite");
                json.writeStringField("pattern", proxy.rewrite().pattern());
                json.writeStringField("replacement", proxy.rewrite().replacement());
                json.writeEndObject();
            }
            optional(json, "host", proxy.host());
            json.writeStringField("timeout", duration(proxy.timeout()));
            headerRules(json, "request_headers", proxy.requestHeaders());
            headerRules(json, "response_headers", proxy.responseHeaders());
            json.writeObjectFieldStart("retry");
            json.writeNumberField("attempts", proxy.retry().attempts());
            json.writeStringField("per_try_timeout", duration(proxy.perTryTimeout()));
            json.writeBooleanField("on_timeout", proxy.retry().onTimeout());
            json.writeArrayFieldStart("on_status");
            for (int code : proxy.retry().onStatus()) {
                json.writeNumber(code);
            }
            json.writeEndArray();
            json.writeNumberField("budget", proxy.retry().budget());
            json.writeNumberField("max_body", proxy.retry().maxBody());
            json.writeEndObject();
            json.writeStringField("upgrade_idle_timeout", duration(proxy.upgradeIdleTimeout()));
            json.writeNumberField("max_request_body", proxy.maxRequestBody());
            json.writeEndObject();
        } else if (action instanceof RespondAction respond) {
            json.writeObjectFieldStart("respond");
            json.writeNumberField("status", respond.status());
            optional(json, "body", respond.body());
            if (!respond.headers().isEmpty()) {
                stringMap(json, "headers", respond.headers());
            }
            json.writeEndObject();
        } else if (action instanceof RedirectAction redirect) {
            json.writeObjectFieldStart("redirect");
            json.writeNumberField("status", redirect.status());
            json.writeStringField("location", redirect.location());
            json.writeEndObject();
        }
    }

    private static void headerRules(JsonGenerator json, String name, HeaderRules rules) throws IOException {
        if (rules.isEmpty()) {
            return;
        }
        json.writeObjectFieldStart(name);
        stringMap(json, "add", rules.add());
        stringMap(json, "set", rules.set());
        strings(json, "remove", rules.remove());
        json.writeEndObject();
    }

    private static void value(JsonGenerator json, Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                json.writeFieldName(key);
                if (SECRET.matcher(key).matches()) {
                    json.writeString(REDACTED);
                } else {
                    value(json, entry.getValue());
                }
            }
            json.writeEndObject();
        } else if (value instanceof List<?> list) {
            json.writeStartArray();
            for (Object item : list) {
                value(json, item);
            }
            json.writeEndArray();
        } else if (value instanceof Number || value instanceof Boolean) {
            json.writeRawValue(String.valueOf(value));
        } else {
            json.writeString(value == null ? null : String.valueOf(value));
        }
    }

    private static void optional(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    private static void strings(JsonGenerator json, String name, List<String> values) throws IOException {
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    private static void stringMap(JsonGenerator json, String name, Map<String, String> values) throws IOException {
        json.writeObjectFieldStart(name);
        for (Map.Entry<String, String> entry : values.entrySet()) {
            json.writeStringField(entry.getKey(), entry.getValue());
        }
        json.writeEndObject();
    }

    private static String duration(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }

    private interface JsonWriting {
        void write(JsonGenerator json) throws IOException;
    }

    private static String write(JsonWriting writing) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.useDefaultPrettyPrinter();
            writing.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append('\n').toString();
    }
}
