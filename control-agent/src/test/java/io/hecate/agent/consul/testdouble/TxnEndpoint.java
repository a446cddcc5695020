package io.hecate.agent.consul.testdouble;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * {@code PUT /v1/txn}, after https://developer.hashicorp.com/consul/api-docs/txn ("Create Transaction",
 * "KV Operations"): up to 64 KV operations applied all-or-nothing at a single Raft index, with the verbs
 * set, cas, lock, unlock, get, get-or-empty, get-tree, check-index, check-session, check-not-exists,
 * delete, delete-tree and delete-cas. Every operation runs and each failure is reported with its OpIndex;
 * if any failed, nothing is kept: 409 with {@code {"Results": null, "Errors": [...]}}. On success: 200
 * with {@code {"Results": [{"KV": …}], "Errors": null}}, where get results carry values and the others
 * the entry without its value; delete verbs and check-not-exists yield no result. More than 64
 * operations: 413 naming the limit; a body that does not decode: 400. The error texts are those of
 * Consul's state store.
 *
 * <p>The limit of 64 is the KV page's and Consul's {@code maxTxnOps} of long standing; the current txn
 * page mentions 128, which newer releases allow.
 *
 * <p>Simplifications: only KV operations; a Node, Service, Check or Session operation is answered 400
 * (Consul supports them). The request-size limit (txn_max_req_len) is not enforced.
 */
final class TxnEndpoint {

    static final int MAX_OPS = 64;
    private static final String DECODE = "Failed to parse body: ";
    private static final Set<String> WRITES = Set.of("set", "cas", "lock", "unlock", "delete", "delete-cas", "delete-tree");

    private record KvOp(String verb, String key, byte[] value, long flags, long index, String session) {
    }

    private final RaftState state;
    private final KvStore kv;

    TxnEndpoint(RaftState state, KvStore kv) {
        this.state = state;
        this.kv = kv;
    }

    /** "Create Transaction" (https://developer.hashicorp.com/consul/api-docs/txn#create-transaction). */
    ApiResponse handle(ApiRequest r) {
        JsonElement body = r.json(DECODE);
        if (!body.isJsonArray()) {
            throw ApiError.badRequest(DECODE + "json: cannot unmarshal " + kind(body) + " into Go value of type api.TxnOps");
        }
        List<KvOp> ops = new ArrayList<>();
        for (JsonElement element : body.getAsJsonArray()) {
            ops.add(decode(element));
        }
        if (ops.size() > MAX_OPS) {
            return ApiResponse.text(413, "Transaction contains too many operations (" + ops.size() + " > " + MAX_OPS + ")");
        }
        boolean writes = ops.stream().anyMatch(op -> WRITES.contains(op.verb()));
        return state.atomically(() -> apply(ops, writes ? state.nextIndex() : 0));
    }

    private ApiResponse apply(List<KvOp> ops, long idx) {
        KvStore.Snapshot before = kv.snapshot();
        JsonArray results = new JsonArray();
        JsonArray errors = new JsonArray();
        for (int i = 0; i < ops.size(); i++) {
            try {
                for (JsonObject result : run(ops.get(i), idx)) {
                    JsonObject wrapped = new JsonObject();
                    wrapped.add("KV", result);
                    results.add(wrapped);
                }
            } catch (ApiError e) {
                JsonObject error = new JsonObject();
                error.addProperty("OpIndex", i);
                error.addProperty("What", e.getMessage());
                errors.add(error);
            }
        }
        JsonObject out = new JsonObject();
        if (errors.isEmpty()) {
            out.add("Results", results);
            out.add("Errors", JsonNull.INSTANCE);
            return ApiResponse.json(out);
        }
        kv.restore(before);
        out.add("Results", JsonNull.INSTANCE);
        out.add("Errors", errors);
        return ApiResponse.json(409, out, null);
    }

    /** One operation, with the state store's wording for each failure. */
    private List<JsonObject> run(KvOp op, long idx) {
        String key = op.key();
        String q = "\"" + key + "\"";
        if (key.isEmpty() && WRITES.contains(op.verb()) && !op.verb().equals("delete-tree")) {
            throw ApiError.rpc("Must provide key");
        }
        switch (op.verb()) {
            case "set":
                return blank(kv.set(key, op.value(), op.flags(), idx));
            case "cas": {
                KvEntry e = kv.cas(key, op.value(), op.flags(), op.index(), idx);
                if (e == null) {
                    throw ApiError.rpc("failed to set key " + q + ", index is stale");
                }
                return blank(e);
            }
            case "lock": {
                if (kv.lockDelayed(key)) {
                    throw ApiError.rpc("failed to lock key " + q + " due to lock delay");
                }
                KvEntry e = kv.lock(key, op.value(), op.flags(), op.session(), idx);
                if (e == null) {
                    throw ApiError.rpc("failed to lock key " + q + ", lock is already held");
                }
                return blank(e);
            }
            case "unlock": {
                KvEntry e = kv.unlock(key, op.value(), op.flags(), op.session(), idx);
                if (e == null) {
                    throw ApiError.rpc("failed to unlock key " + q + ", lock isn't held, or is held by another session");
                }
                return blank(e);
            }
            case "get": {
                KvEntry e = kv.get(key);
                if (e == null) {
                    throw ApiError.rpc("key " + q + " doesn't exist");
                }
                return List.of(JsonShapes.kv(e, true));
            }
            case "get-or-empty": {
                KvEntry e = kv.get(key);
                return List.of(JsonShapes.kv(e != null ? e : new KvEntry(key, null, op.flags(), 0, "", 0, 0), true));
            }
            case "get-tree":
                return kv.list(key).stream().map(e -> JsonShapes.kv(e, true)).toList();
            case "check-index": {
                KvEntry e = kv.get(key);
                if (e == null) {
                    throw ApiError.rpc("failed to check index, key " + q + " doesn't exist");
                }
                if (e.modifyIndex() != op.index()) {
                    throw ApiError.rpc("failed index check for key " + q + ", current modify index "
                            + e.modifyIndex() + " != " + op.index());
                }
                return blank(e);
            }
            case "check-session": {
                KvEntry e = kv.get(key);
                if (e == null) {
                    throw ApiError.rpc("failed to check session, key " + q + " doesn't exist");
                }
                if (!e.session().equals(op.session())) {
                    throw ApiError.rpc("failed session check for key " + q + ", current session \"" + e.session()
                            + "\" != \"" + op.session() + "\"");
                }
                return blank(e);
            }
            case "check-not-exists":
                if (kv.get(key) != null) {
                    throw ApiError.rpc("key " + q + " exists");
                }
                return List.of();
            case "delete":
                kv.delete(key, idx);
                return List.of();
            case "delete-tree":
                kv.deleteTree(key, idx);
                return List.of();
            case "delete-cas":
                if (!kv.deleteCas(key, op.index(), idx)) {
                    throw ApiError.rpc("failed to delete key " + q + ", index is stale");
                }
                return List.of();
            default:
                throw ApiError.rpc("unknown KV verb \"" + op.verb() + "\"");
        }
    }

    private static List<JsonObject> blank(KvEntry e) {
        return List.of(JsonShapes.kv(e, false));
    }

    private static KvOp decode(JsonElement element) {
        if (!element.isJsonObject()) {
            throw ApiError.badRequest(DECODE + "json: cannot unmarshal " + kind(element) + " into Go value of type api.TxnOp");
        }
        JsonElement kvElement = JsonShapes.field(element.getAsJsonObject(), "KV");
        if (kvElement == null || kvElement.isJsonNull()) {
            throw ApiError.badRequest(DECODE + "the Consul double supports only KV operations in transactions");
        }
        if (!kvElement.isJsonObject()) {
            throw ApiError.badRequest(DECODE + "json: cannot unmarshal " + kind(kvElement) + " into Go value of type api.KVTxnOp");
        }
        JsonObject o = kvElement.getAsJsonObject();
        String verb = JsonShapes.string(o, "Verb", DECODE);
        String key = JsonShapes.string(o, "Key", DECODE);
        String value = JsonShapes.string(o, "Value", DECODE);
        byte[] bytes = null;
        if (value != null) {
            try {
                bytes = Base64.getDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest(DECODE + "failed to decode value: " + e.getMessage());
            }
        }
        String session = JsonShapes.string(o, "Session", DECODE);
        return new KvOp(verb == null ? "" : verb, key == null ? "" : KvEndpoint.stripLeadingSlashes(key), bytes,
                number(o, "Flags"), number(o, "Index"), session == null ? "" : session);
    }

    private static long number(JsonObject o, String name) {
        JsonElement e = JsonShapes.field(o, name);
        if (e == null || e.isJsonNull()) {
            return 0;
        }
        try {
            return e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
        } catch (RuntimeException ex) {
            throw ApiError.badRequest(DECODE + "field " + name + " must be an unsigned integer");
        }
    }

    private static String kind(JsonElement e) {
        if (e.isJsonObject()) {
            return "object";
        }
        if (e.isJsonArray()) {
            return "array";
        }
        if (e.isJsonNull()) {
            return "null";
        }
        return e.getAsJsonPrimitive().isString() ? "string" : e.getAsJsonPrimitive().isNumber() ? "number" : "bool";
    }
}
