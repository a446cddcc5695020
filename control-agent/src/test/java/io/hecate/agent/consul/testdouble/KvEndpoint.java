package io.hecate.agent.consul.testdouble;

import com.google.gson.JsonArray;
import java.util.List;

/**
 * {@code /v1/kv/:key}, after https://developer.hashicorp.com/consul/api-docs/kv — "Read Key" (GET, with
 * {@code recurse}, {@code keys}, {@code separator}, {@code raw}; blocking), "Create/Update Key" (PUT with
 * {@code cas}, {@code flags}, {@code acquire}, {@code release}; answers {@code true}/{@code false}) and
 * "Delete Key" (DELETE with {@code recurse}, {@code cas}).
 *
 * <p>As in Consul: a read that finds nothing is a 404 that still carries X-Consul-Index (so a client can
 * block until the key appears); {@code ?keys} on the root answers {@code []} rather than 404; more than
 * one of cas/acquire/release (or recurse with cas on DELETE) is a 400 "Conflicting flags"; an acquire
 * during a lock delay answers {@code false} without a write.
 *
 * <p>Simplifications: keys are stored without leading slashes (a client that sends "/a" reads and writes
 * "a"); Consul's key-character validation and the 512 KiB value limit are not enforced.
 */
final class KvEndpoint {

    private record Read<T>(T value, long index) {
    }

    private final RaftState state;
    private final KvStore kv;

    KvEndpoint(RaftState state, KvStore kv) {
        this.state = state;
        this.kv = kv;
    }

    ApiResponse handle(ApiRequest r, String rawKey) {
        String key = stripLeadingSlashes(rawKey);
        return switch (r.method()) {
            case "GET" -> r.has("keys") ? keys(r, key) : read(r, key);
            case "PUT" -> put(r, key);
            case "DELETE" -> delete(r, key);
            default -> throw new ApiError(405, "method " + r.method() + " not allowed");
        };
    }

    /** "Read Key" (https://developer.hashicorp.com/consul/api-docs/kv#read-key): one key, or with {@code ?recurse} every key under the prefix. */
    private ApiResponse read(ApiRequest r, String key) {
        BlockingQuery q = BlockingQuery.of(r);
        if (r.has("recurse")) {
            Read<List<KvEntry>> result = q.run(state, r, () -> new Read<>(kv.list(key), kv.prefixIndex(key)), Read::index);
            if (result.value().isEmpty()) {
                return ApiResponse.notFound(result.index());
            }
            JsonArray a = new JsonArray();
            result.value().forEach(e -> a.add(JsonShapes.kv(e, true)));
            return ApiResponse.indexed(a, result.index());
        }
        if (key.isEmpty()) {
            throw ApiError.badRequest("Missing key name");
        }
        Read<KvEntry> result = q.run(state, r, () -> new Read<>(kv.get(key), kv.keyIndex(key)), Read::index);
        if (result.value() == null) {
            return ApiResponse.notFound(result.index());
        }
        if (r.has("raw")) {
            byte[] value = result.value().value();
            return new ApiResponse(200, "text/plain", value == null ? new byte[0] : value, result.index());
        }
        JsonArray a = new JsonArray();
        a.add(JsonShapes.kv(result.value(), true));
        return ApiResponse.indexed(a, result.index());
    }

    /** "Read Key" with {@code ?keys} (https://developer.hashicorp.com/consul/api-docs/kv#read-key): key names only, cut at {@code separator}. */
    private ApiResponse keys(ApiRequest r, String prefix) {
        BlockingQuery q = BlockingQuery.of(r);
        String separator = r.has("separator") ? r.param("separator") : r.param("seperator");
        Read<List<String>> result = q.run(state, r,
                () -> new Read<>(kv.keys(prefix, separator), kv.prefixIndex(prefix)), Read::index);
        if (result.value().isEmpty() && !prefix.isEmpty()) {
            return ApiResponse.notFound(result.index());
        }
        return ApiResponse.indexed(JsonShapes.strings(result.value()), result.index());
    }

    /** "Create/Update Key" (https://developer.hashicorp.com/consul/api-docs/kv#create-update-key): set, {@code cas}, {@code acquire}, {@code release}. */
    private ApiResponse put(ApiRequest r, String key) {
        if (key.isEmpty()) {
            throw ApiError.badRequest("Missing key name");
        }
        conflicting(r, "cas", "acquire", "release");
        long flags = r.unsigned("flags", 0);
        byte[] value = r.body();
        if (r.has("acquire")) {
            String session = r.param("acquire");
            return ApiResponse.bool(state.atomically(() ->
                    !kv.lockDelayed(key) && kv.lock(key, value, flags, session, state.nextIndex()) != null));
        }
        if (r.has("release")) {
            String session = r.param("release");
            return ApiResponse.bool(state.write(idx -> kv.unlock(key, value, flags, session, idx) != null));
        }
        if (r.has("cas")) {
            long cas = r.unsigned("cas", 0);
            return ApiResponse.bool(state.write(idx -> kv.cas(key, value, flags, cas, idx) != null));
        }
        state.write(idx -> kv.set(key, value, flags, idx));
        return ApiResponse.bool(true);
    }

    /** "Delete Key" (https://developer.hashicorp.com/consul/api-docs/kv#delete-key): one key, a tree with {@code recurse}, or check-and-delete with {@code cas}. */
    private ApiResponse delete(ApiRequest r, String key) {
        conflicting(r, "recurse", "cas");
        if (r.has("recurse")) {
            state.write(idx -> {
                kv.deleteTree(key, idx);
                return null;
            });
            return ApiResponse.bool(true);
        }
        if (key.isEmpty()) {
            throw ApiError.badRequest("Missing key name");
        }
        if (r.has("cas")) {
            long cas = r.unsigned("cas", 0);
            return ApiResponse.bool(state.write(idx -> kv.deleteCas(key, cas, idx)));
        }
        state.write(idx -> kv.delete(key, idx));
        return ApiResponse.bool(true);
    }

    private static void conflicting(ApiRequest r, String... flags) {
        int present = 0;
        for (String flag : flags) {
            if (r.has(flag)) {
                present++;
            }
        }
        if (present > 1) {
            throw ApiError.badRequest("Conflicting flags: " + String.join(", ", flags) + "\n");
        }
    }

    static String stripLeadingSlashes(String key) {
        int i = 0;
        while (i < key.length() && key.charAt(i) == '/') {
            i++;
        }
        return key.substring(i);
    }
}
