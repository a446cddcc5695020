package io.hecate.core.internal.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.hecate.core.config.BalanceConfig;
import io.hecate.core.config.HealthCheckConfig;
import io.hecate.core.internal.limit.UpstreamAdmission;
import io.hecate.core.internal.upstream.Target;
import io.hecate.core.internal.upstream.TargetHealth;
import io.hecate.core.internal.upstream.Upstream;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Renders {@code GET /upstreams}: each upstream of the active configuration with its balancing
 * policy, and each target with its weight and health as the data plane sees it right now.
 */
public final class UpstreamsJson {

    private static final JsonFactory JSON = new JsonFactory();

    private UpstreamsJson() {
    }

    /** @param nowNanos the health clock's now, which ejections are measured against */
    public static String render(List<Upstream> upstreams, long nowNanos) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.useDefaultPrettyPrinter();
            json.writeStartArray();
            for (Upstream upstream : upstreams) {
                upstream(json, upstream, nowNanos);
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append('\n').toString();
    }

    /** The circuit breaker and the bulkhead, when the upstream has them. */
    private static void admission(JsonGenerator json, UpstreamAdmission admission) throws IOException {
        if (admission == UpstreamAdmission.UNLIMITED) {
            json.writeNullField("circuit_breaker");
            return;
        }
        if (admission.maxConcurrent() > 0) {
            json.writeNumberField("max_concurrent_requests", admission.maxConcurrent());
        }
        json.writeNumberField("active_requests", admission.active());
        json.writeObjectFieldStart("rejected_requests");
        json.writeNumberField("circuit_open", admission.rejectedCircuitOpen());
        json.writeNumberField("concurrency", admission.rejectedConcurrency());
        json.writeEndObject();
        UpstreamAdmission.BreakerMetrics metrics = admission.breakerMetrics();
        if (metrics == null) {
            json.writeNullField("circuit_breaker");
            return;
        }
        json.writeObjectFieldStart("circuit_breaker");
        json.writeStringField("state", admission.breakerState());
        long probesIn = admission.secondsUntilProbes();
        if ("open".equals(admission.breakerState())) {
            json.writeNumberField("half_open_in_seconds", probesIn);
        }
        json.writeNumberField("failure_rate", metrics.failureRate());
        json.writeNumberField("slow_call_rate", metrics.slowCallRate());
        json.writeNumberField("calls", metrics.calls());
        json.writeNumberField("failed_calls", metrics.failedCalls());
        json.writeNumberField("slow_calls", metrics.slowCalls());
        json.writeNumberField("not_permitted_calls", metrics.notPermittedCalls());
        json.writeEndObject();
    }

    private static void upstream(JsonGenerator json, Upstream upstream, long nowNanos) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", upstream.name());
        BalanceConfig balance = upstream.config().balance();
        json.writeStringField("policy", balance.policy().configName());
        if (balance.hashOn() != null) {
            ConfigJson.hashOn(json, balance.hashOn());
        }
        HealthCheckConfig check = upstream.config().healthCheck();
        json.writeBooleanField("active_checks", check != null);
        json.writeBooleanField("outlier_detection", upstream.config().outlierDetection().enabled());
        int available = 0;
        for (Target target : upstream.targets()) {
            if (target.health().available(nowNanos)) {
                available++;
            }
        }
        json.writeNumberField("healthy_targets", available);
        admission(json, upstream.admission());
        json.writeArrayFieldStart("targets");
        for (Target target : upstream.targets()) {
            TargetHealth health = target.health();
            json.writeStartObject();
            json.writeStringField("address", target.key());
            json.writeNumberField("weight", target.weight());
            json.writeBooleanField("healthy", health.available(nowNanos));
            boolean ejected = health.ejectedAt(nowNanos);
            json.writeBooleanField("ejected", ejected);
            json.writeStringField("ejected_until", ejected ? Instant.ofEpochMilli(health.ejectedUntilMillis(nowNanos)).toString() : null);
            if (ejected && health.awaitingCheck()) {
                json.writeBooleanField("awaiting_check", true);
            }
            json.writeNumberField("ejections", health.ejections());
            json.writeNumberField("consecutive_failures", health.consecutiveFailures());
            json.writeNumberField("active_requests", health.active());
            if (check != null) {
                json.writeObjectFieldStart("check");
                json.writeBooleanField("healthy", health.checkHealthy());
                json.writeStringField("last_result", health.lastCheckResult());
                json.writeStringField("last_error", health.lastCheckError());
                json.writeStringField("last_checked_at", health.lastCheckMillis() == 0 ? null
                        : Instant.ofEpochMilli(health.lastCheckMillis()).toString());
                json.writeEndObject();
            }
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
