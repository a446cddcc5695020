package io.hecate.agent.consul.testdouble;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /v1/session/*}, after https://developer.hashicorp.com/consul/api-docs/session: "Create Session"
 * (PUT create → {"ID"}), "Delete Session" (PUT destroy/:uuid → true, also for an unknown session),
 * "Renew Session" (PUT renew/:uuid → [session], or 404 "Session id '…' not found"), "Read Session"
 * (GET info/:uuid → [session] or []), "List Sessions for Node" (GET node/:node) and "List Sessions" (GET
 * list); the reads are blocking queries on the sessions table's index.
 *
 * <p>Create defaults as Consul's agent does: Node = this agent's node, Checks = [serfHealth], LockDelay =
 * 15s, Behavior = release, no TTL. A numeric LockDelay, or a duration string under 1000ns, is taken as
 * seconds (Consul's lockDelayMinThreshold), so the ecwid client's {@code "LockDelay": 0} means no delay.
 */
final class SessionEndpoint {

    private static final String DECODE = "Request decode failed: ";
    private static final long LOCK_DELAY_MIN_THRESHOLD = 1000;

    private record Read<T>(T value, long index) {
    }

    private final RaftState state;
    private final SessionStore sessions;
    private final String agentNode;

    SessionEndpoint(RaftState state, SessionStore sessions, String agentNode) {
        this.state = state;
        this.sessions = sessions;
        this.agentNode = agentNode;
    }

    /** "Create Session" (https://developer.hashicorp.com/consul/api-docs/session#create-session). */
    ApiResponse create(ApiRequest r) {
        SessionStore.Request request = decode(r);
        SessionStore.Session s = state.write(idx -> sessions.create(request, idx));
        JsonObject o = new JsonObject();
        o.addProperty("ID", s.id());
        return ApiResponse.json(o);
    }

    /** "Delete Session" (https://developer.hashicorp.com/consul/api-docs/session#delete-session). */
    ApiResponse destroy(ApiRequest r, String id) {
        if (id.isEmpty()) {
            throw ApiError.badRequest("Missing session");
        }
        state.write(idx -> {
            sessions.destroy(id, idx);
            return null;
        });
        return ApiResponse.bool(true);
    }

    /** "Renew Session" (https://developer.hashicorp.com/consul/api-docs/session#renew-session). */
    ApiResponse renew(ApiRequest r, String id) {
        if (id.isEmpty()) {
            throw ApiError.badRequest("Missing session");
        }
        SessionStore.Session s = state.atomically(() -> sessions.renew(id));
        if (s == null) {
            return ApiResponse.text(404, "Session id '" + id + "' not found");
        }
        return ApiResponse.json(JsonShapes.sessions(List.of(s)));
    }

    /** "Read Session" (https://developer.hashicorp.com/consul/api-docs/session#read-session). */
    ApiResponse info(ApiRequest r, String id) {
        if (id.isEmpty()) {
            throw ApiError.badRequest("Missing session");
        }
        return read(r, () -> {
            SessionStore.Session s = sessions.get(id);
            return s == null ? List.of() : List.of(s);
        });
    }

    /** "List Sessions for Node" (https://developer.hashicorp.com/consul/api-docs/session#list-sessions-for-node). */
    ApiResponse node(ApiRequest r, String node) {
        if (node.isEmpty()) {
            throw ApiError.badRequest("Missing node name");
        }
        return read(r, () -> sessions.forNode(node));
    }

    /** "List Sessions" (https://developer.hashicorp.com/consul/api-docs/session#list-sessions). */
    ApiResponse list(ApiRequest r) {
        return read(r, sessions::list);
    }

    private ApiResponse read(ApiRequest r, Supplier<List<SessionStore.Session>> query) {
        Read<List<SessionStore.Session>> result = BlockingQuery.of(r).run(state, r,
                () -> new Read<>(query.get(), sessions.index()), Read::index);
        return ApiResponse.indexed(JsonShapes.sessions(result.value()), result.index());
    }

    private SessionStore.Request decode(ApiRequest r) {
        if (r.body().length == 0) {
            return new SessionStore.Request(null, agentNode, null, null, null, null);
        }
        JsonElement body = r.json(DECODE);
        if (!body.isJsonObject()) {
            throw ApiError.badRequest(DECODE + "json: cannot unmarshal into Go value of type structs.Session");
        }
        JsonObject o = body.getAsJsonObject();
        String node = JsonShapes.string(o, "Node", DECODE);
        List<String> checks = strings(o, "NodeChecks");
        List<String> legacy = strings(o, "Checks");
        if (legacy != null) {
            checks = checks == null ? legacy : union(checks, legacy);
        }
        return new SessionStore.Request(JsonShapes.string(o, "Name", DECODE),
                node == null || node.isEmpty() ? agentNode : node, lockDelay(o),
                JsonShapes.string(o, "Behavior", DECODE), JsonShapes.string(o, "TTL", DECODE), checks);
    }

    /** Consul's FixupLockDelay: strings are Go durations, numbers nanoseconds; either below 1000ns means seconds. */
    private static Long lockDelay(JsonObject o) {
        JsonElement e = JsonShapes.field(o, "LockDelay");
        if (e == null || e.isJsonNull()) {
            return null;
        }
        long nanos;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            try {
                nanos = Durations.parse(e.getAsString()).toNanos();
            } catch (IllegalArgumentException ex) {
                throw ApiError.badRequest(DECODE + ex.getMessage());
            }
        } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            nanos = (long) e.getAsDouble();
        } else {
            throw ApiError.badRequest(DECODE + "LockDelay must be a duration");
        }
        return nanos < LOCK_DELAY_MIN_THRESHOLD ? Duration.ofSeconds(nanos).toNanos() : nanos;
    }

    private static List<String> strings(JsonObject o, String name) {
        JsonElement e = JsonShapes.field(o, name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw ApiError.badRequest(DECODE + name + " must be a list of check IDs");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement item : e.getAsJsonArray()) {
            out.add(item.getAsString());
        }
        return out;
    }

    private static List<String> union(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        b.stream().filter(x -> !out.contains(x)).forEach(out::add);
        return out;
    }
}
