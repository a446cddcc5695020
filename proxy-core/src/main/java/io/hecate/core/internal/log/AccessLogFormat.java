package io.hecate.core.internal.log;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.time.Instant;

/** The JSON shape of one access log line; runs on the writer thread, never on an event loop. */
public final class AccessLogFormat {

    private AccessLogFormat() {
    }

    public static void write(JsonGenerator json, AccessLogEntry e) throws IOException {
        json.writeStartObject();
        json.writeStringField("time", Instant.ofEpochMilli(e.startMillis()).toString());
        json.writeStringField("route", e.routeId());
        json.writeStringField("upstream", e.target());
        json.writeStringField("method", e.method());
        json.writeStringField("path", e.uri());
        json.writeNumberField("status", e.status());
        json.writeNumberField("bytes_in", e.bytesIn());
        json.writeNumberField("bytes_out", e.bytesOut());
        json.writeNumberField("duration_us", e.durationMicros());
        json.writeStringField("client", e.client());
        if (e.error() != null) {
            json.writeStringField("error", e.error());
        }
        json.writeEndObject();
        json.writeRaw('\n');
    }
}
