package io.hecate.agent.consul.testdouble;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The agent's own endpoints:
 * <ul>
 *   <li>{@code PUT /v1/agent/service/register} — https://developer.hashicorp.com/consul/api-docs/agent/service#register-service:
 *       ID (defaults to Name), Name (required), Tags, Address, Port, Meta, and Check and/or Checks. Check IDs
 *       default to "service:ID" ("service:ID:n" when there are several), names to "Service 'NAME' check";
 *       an interval-driven check needs an Interval. Answers 200 with an empty body.</li>
 *   <li>{@code PUT /v1/agent/service/deregister/:service_id} — …#deregister-service; 404 for an unknown ID.</li>
 *   <li>{@code GET /v1/agent/self} — https://developer.hashicorp.com/consul/api-docs/agent#read-configuration:
 *       a minimal Config and Member.</li>
 *   <li>{@code GET /v1/status/leader} — https://developer.hashicorp.com/consul/api-docs/status#get-raft-leader.</li>
 * </ul>
 *
 * <p>Simplifications: no {@code replace-existing-checks}, Connect sidecars, weights or check aliases;
 * agent/self carries only the fields listed in {@link #self}.
 */
final class AgentEndpoint {

    private static final String DECODE = "Request decode failed: ";

    private final RaftState state;
    private final Catalog catalog;
    private final AgentServices agent;
    private final String nodeName;
    private final String datacenter;

    AgentEndpoint(RaftState state, Catalog catalog, AgentServices agent, String nodeName, String datacenter) {
        this.state = state;
        this.catalog = catalog;
        this.agent = agent;
        this.nodeName = nodeName;
        this.datacenter = datacenter;
    }

    /** "Register Service" (https://developer.hashicorp.com/consul/api-docs/agent/service#register-service). */
    ApiResponse register(ApiRequest r) {
        AgentServices.Registration registration = decode(r);
        state.write(idx -> {
            catalog.ensureNode(nodeName, "127.0.0.1", idx);
            agent.register(registration, idx);
            return null;
        });
        return new ApiResponse(200, ApiResponse.JSON, new byte[0], null);
    }

    /** "Deregister Service" (https://developer.hashicorp.com/consul/api-docs/agent/service#deregister-service). */
    ApiResponse deregister(ApiRequest r, String id) {
        boolean known = state.atomically(() -> {
            if (agent.snapshot().stream().noneMatch(a -> a.id().equals(id))) {
                return false;
            }
            return agent.deregister(id, state.nextIndex());
        });
        if (!known) {
            return ApiResponse.text(404, "Unknown service ID \"" + id + "\". Ensure that the service ID is passed, not the service name.");
        }
        return new ApiResponse(200, ApiResponse.JSON, new byte[0], null);
    }

    /** "Read Configuration" (https://developer.hashicorp.com/consul/api-docs/agent#read-configuration), reduced to Config and Member. */
    ApiResponse self(ApiRequest r) {
        JsonObject config = new JsonObject();
        config.addProperty("Datacenter", datacenter);
        config.addProperty("PrimaryDatacenter", datacenter);
        config.addProperty("NodeName", nodeName);
        config.addProperty("NodeID", UUID.nameUUIDFromBytes(nodeName.getBytes(StandardCharsets.UTF_8)).toString());
        config.addProperty("Server", true);
        config.addProperty("Revision", "double");
        config.addProperty("Version", "1.21.0");
        JsonObject tags = new JsonObject();
        tags.addProperty("dc", datacenter);
        tags.addProperty("role", "consul");
        tags.addProperty("port", "8300");
        JsonObject member = new JsonObject();
        member.addProperty("Name", nodeName);
        member.addProperty("Addr", "127.0.0.1");
        member.addProperty("Port", 8301);
        member.add("Tags", tags);
        member.addProperty("Status", 1);
        JsonObject o = new JsonObject();
        o.add("Config", config);
        o.add("Member", member);
        return ApiResponse.json(o);
    }

    /** "Get Raft Leader" (https://developer.hashicorp.com/consul/api-docs/status#get-raft-leader). */
    ApiResponse leader(ApiRequest r) {
        return ApiResponse.json(new JsonPrimitive("127.0.0.1:8300"));
    }

    // ---------------------------------------------------------------- decoding

    private AgentServices.Registration decode(ApiRequest r) {
        JsonElement body = r.json(DECODE);
        if (!body.isJsonObject()) {
            throw ApiError.badRequest(DECODE + "json: cannot unmarshal into Go value of type structs.ServiceDefinition");
        }
        JsonObject o = body.getAsJsonObject();
        String name = JsonShapes.string(o, "Name", DECODE);
        if (name == null || name.isEmpty()) {
            throw ApiError.badRequest("Missing service name");
        }
        String id = JsonShapes.string(o, "ID", DECODE);
        if (id == null || id.isEmpty()) {
            id = name;
        }
        String address = JsonShapes.string(o, "Address", DECODE);
        JsonElement portElement = JsonShapes.field(o, "Port");
        int port = portElement == null || portElement.isJsonNull() ? 0 : portElement.getAsInt();
        List<String> tags = new ArrayList<>();
        JsonElement tagsElement = JsonShapes.field(o, "Tags");
        if (tagsElement != null && tagsElement.isJsonArray()) {
            tagsElement.getAsJsonArray().forEach(t -> tags.add(t.getAsString()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        JsonElement metaElement = JsonShapes.field(o, "Meta");
        if (metaElement != null && metaElement.isJsonObject()) {
            metaElement.getAsJsonObject().entrySet().forEach(e -> meta.put(e.getKey(), e.getValue().getAsString()));
        }
        List<JsonObject> checkObjects = new ArrayList<>();
        JsonElement single = JsonShapes.field(o, "Check");
        if (single != null && single.isJsonObject()) {
            checkObjects.add(single.getAsJsonObject());
        }
        JsonElement many = JsonShapes.field(o, "Checks");
        if (many != null && many.isJsonArray()) {
            many.getAsJsonArray().forEach(c -> checkObjects.add(c.getAsJsonObject()));
        }
        List<AgentServices.CheckDefinition> checks = new ArrayList<>();
        for (int i = 0; i < checkObjects.size(); i++) {
            String defaultId = "service:" + id + (checkObjects.size() > 1 ? ":" + (i + 1) : "");
            checks.add(check(checkObjects.get(i), defaultId, name));
        }
        return new AgentServices.Registration(id, name, tags, address == null ? "" : address, port, meta, checks);
    }

    private static AgentServices.CheckDefinition check(JsonObject c, String defaultId, String serviceName) {
        String checkId = JsonShapes.string(c, "CheckID", DECODE);
        if (checkId == null || checkId.isEmpty()) {
            checkId = JsonShapes.string(c, "ID", DECODE);
        }
        if (checkId == null || checkId.isEmpty()) {
            checkId = defaultId;
        }
        String name = JsonShapes.string(c, "Name", DECODE);
        if (name == null || name.isEmpty()) {
            name = "Service '" + serviceName + "' check";
        }
        String http = JsonShapes.string(c, "HTTP", DECODE);
        String tcp = JsonShapes.string(c, "TCP", DECODE);
        String ttl = duration(c, "TTL");
        String interval = duration(c, "Interval");
        String timeout = duration(c, "Timeout");
        String deregisterAfter = duration(c, "DeregisterCriticalServiceAfter");
        boolean scripted = JsonShapes.field(c, "Args") != null || JsonShapes.field(c, "GRPC") != null
                || JsonShapes.field(c, "H2PING") != null || JsonShapes.field(c, "UDP") != null;
        if (http == null && tcp == null && ttl == null && !scripted) {
            throw ApiError.badRequest("Invalid check: Check type is not valid");
        }
        if (ttl == null && (interval == null || Durations.parse(interval).compareTo(Duration.ZERO) <= 0)) {
            throw ApiError.badRequest("Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks");
        }
        if (http != null) {
            try {
                URI uri = URI.create(http);
                if (uri.getScheme() == null || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an absolute URL");
                }
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("Invalid check: invalid HTTP URL \"" + http + "\"");
            }
        }
        String status = JsonShapes.string(c, "Status", DECODE);
        if (status != null && !status.isEmpty() && !List.of("passing", "warning", "critical").contains(status)) {
            throw ApiError.badRequest("Invalid check status: \"" + status + "\"");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        JsonElement header = JsonShapes.field(c, "Header");
        if (header != null && header.isJsonObject()) {
            header.getAsJsonObject().entrySet().forEach(e -> {
                List<String> values = new ArrayList<>();
                if (e.getValue().isJsonArray()) {
                    e.getValue().getAsJsonArray().forEach(v -> values.add(v.getAsString()));
                }
                headers.put(e.getKey(), values);
            });
        }
        return new AgentServices.CheckDefinition(checkId, name, http, JsonShapes.string(c, "Method", DECODE), headers,
                interval, timeout, deregisterAfter, ttl, tcp, status);
    }

    /** A duration field: a Go duration string, or a number of nanoseconds (as Go would decode it). */
    private static String duration(JsonObject o, String name) {
        JsonElement e = JsonShapes.field(o, name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        String text = e.getAsJsonPrimitive().isNumber() ? Durations.format(Duration.ofNanos(e.getAsLong())) : e.getAsString();
        if (text.isEmpty()) {
            return null;
        }
        try {
            Durations.parse(text);
        } catch (IllegalArgumentException ex) {
            throw ApiError.badRequest(DECODE + ex.getMessage());
        }
        return text;
    }
}
