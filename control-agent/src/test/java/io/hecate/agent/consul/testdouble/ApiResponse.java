package io.hecate.agent.consul.testdouble;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.nio.charset.StandardCharsets;

/**
 * An answer: status, content type, body, and for reads the index to report in X-Consul-Index (null lets
 * the router report the current Raft index).
 */
record ApiResponse(int status, String contentType, byte[] body, Long index) {

    static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    static final String JSON = "application/json";

    static ApiResponse json(JsonElement body) {
        return json(200, body, null);
    }

    static ApiResponse json(int status, JsonElement body, Long index) {
        return new ApiResponse(status, JSON, GSON.toJson(body).getBytes(StandardCharsets.UTF_8), index);
    }

    static ApiResponse indexed(JsonElement body, long index) {
        return json(200, body, index);
    }

    static ApiResponse bool(boolean value) {
        return json(new JsonPrimitive(value));
    }

    /** A read that found nothing: 404, no body, but still an index to block on. */
    static ApiResponse notFound(long index) {
        return new ApiResponse(404, JSON, new byte[0], index);
    }

    static ApiResponse text(int status, String text) {
        return new ApiResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), null);
    }
}
