package io.hecate.agent.consul.testdouble;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of Consul's answers, field for field as the API docs' sample responses show them.
 */
final class JsonShapes {

    private JsonShapes() {
    }

    /** A KV entry: https://developer.hashicorp.com/consul/api-docs/kv#read-key (Value base64, null when empty). */
    static JsonObject kv(KvEntry e, boolean withValue) {
        JsonObject o = new JsonObject();
        o.addProperty("LockIndex", e.lockIndex());
        o.addProperty("Key", e.key());
        o.addProperty("Flags", e.flags());
        if (withValue && e.value() != null) {
            o.addProperty("Value", Base64.getEncoder().encodeToString(e.value()));
        } else {
            o.add("Value", JsonNull.INSTANCE);
        }
        if (e.locked()) {
            o.addProperty("Session", e.session());
        }
        o.addProperty("CreateIndex", e.createIndex());
        o.addProperty("ModifyIndex", e.modifyIndex());
        return o;
    }

    /** A session: https://developer.hashicorp.com/consul/api-docs/session#read-session (LockDelay in nanoseconds). */
    static JsonObject session(SessionStore.Session s) {
        JsonObject o = new JsonObject();
        o.addProperty("ID", s.id());
        o.addProperty("Name", s.name());
        o.addProperty("Node", s.node());
        o.addProperty("LockDelay", s.lockDelayNanos());
        o.addProperty("Behavior", s.behavior());
        o.addProperty("TTL", s.ttl());
        o.add("NodeChecks", strings(s.nodeChecks()));
        o.add("ServiceChecks", JsonNull.INSTANCE);
        if (!s.nodeChecks().equals(List.of(SessionStore.SERF_CHECK))) {
            // Consul 1.7+ still sends the deprecated Checks field unless serfHealth is the only check.
            o.add("Checks", strings(s.nodeChecks()));
        }
        o.addProperty("CreateIndex", s.createIndex());
        o.addProperty("ModifyIndex", s.modifyIndex());
        return o;
    }

    static JsonArray sessions(List<SessionStore.Session> sessions) {
        JsonArray a = new JsonArray();
        sessions.forEach(s -> a.add(session(s)));
        return a;
    }

    /** An entry of https://developer.hashicorp.com/consul/api-docs/health#list-service-instances-for-service. */
    static JsonObject healthEntry(Catalog.Instance i, String datacenter) {
        JsonObject node = new JsonObject();
        node.addProperty("ID", i.node().id());
        node.addProperty("Node", i.node().name());
        node.addProperty("Address", i.node().address());
        node.addProperty("Datacenter", datacenter);
        node.add("TaggedAddresses", taggedAddresses(i.node().address()));
        node.add("Meta", new JsonObject());
        node.addProperty("CreateIndex", i.node().createIndex());
        node.addProperty("ModifyIndex", i.node().modifyIndex());

        Catalog.Service s = i.service();
        JsonObject service = new JsonObject();
        service.addProperty("ID", s.id());
        service.addProperty("Service", s.name());
        service.add("Tags", strings(s.tags()));
        service.addProperty("Address", s.address());
        service.add("Meta", map(s.meta()));
        service.addProperty("Port", s.port());
        service.add("Weights", weights());
        service.addProperty("EnableTagOverride", false);
        service.addProperty("CreateIndex", s.createIndex());
        service.addProperty("ModifyIndex", s.modifyIndex());

        JsonArray checks = new JsonArray();
        i.checks().forEach(c -> checks.add(check(c)));

        JsonObject o = new JsonObject();
        o.add("Node", node);
        o.add("Service", service);
        o.add("Checks", checks);
        return o;
    }

    /** An entry of https://developer.hashicorp.com/consul/api-docs/catalog#list-nodes-for-service. */
    static JsonObject catalogService(Catalog.Instance i, String datacenter) {
        Catalog.Service s = i.service();
        JsonObject o = new JsonObject();
        o.addProperty("ID", i.node().id());
        o.addProperty("Node", i.node().name());
        o.addProperty("Address", i.node().address());
        o.addProperty("Datacenter", datacenter);
        o.add("TaggedAddresses", taggedAddresses(i.node().address()));
        o.add("NodeMeta", new JsonObject());
        o.addProperty("ServiceKind", "");
        o.addProperty("ServiceID", s.id());
        o.addProperty("ServiceName", s.name());
        o.add("ServiceTags", strings(s.tags()));
        o.addProperty("ServiceAddress", s.address());
        o.add("ServiceWeights", weights());
        o.add("ServiceMeta", map(s.meta()));
        o.addProperty("ServicePort", s.port());
        o.addProperty("ServiceEnableTagOverride", false);
        o.addProperty("CreateIndex", s.createIndex());
        o.addProperty("ModifyIndex", s.modifyIndex());
        return o;
    }

    static JsonObject check(Catalog.Check c) {
        JsonObject o = new JsonObject();
        o.addProperty("Node", c.node());
        o.addProperty("CheckID", c.checkId());
        o.addProperty("Name", c.name());
        o.addProperty("Status", c.status());
        o.addProperty("Notes", "");
        o.addProperty("Output", c.output());
        o.addProperty("ServiceID", c.serviceId());
        o.addProperty("ServiceName", c.serviceName());
        o.add("ServiceTags", strings(c.serviceTags()));
        o.addProperty("Type", c.type());
        o.addProperty("CreateIndex", c.createIndex());
        o.addProperty("ModifyIndex", c.modifyIndex());
        return o;
    }

    static JsonArray strings(List<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    static JsonObject map(Map<String, String> values) {
        JsonObject o = new JsonObject();
        values.forEach(o::addProperty);
        return o;
    }

    private static JsonObject taggedAddresses(String address) {
        JsonObject o = new JsonObject();
        o.addProperty("lan", address);
        o.addProperty("wan", address);
        return o;
    }

    private static JsonObject weights() {
        JsonObject o = new JsonObject();
        o.addProperty("Passing", 1);
        o.addProperty("Warning", 1);
        return o;
    }

    /** Go's JSON decoding matches field names case-insensitively; so does the double. */
    static JsonElement field(JsonObject o, String name) {
        JsonElement exact = o.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** A string field, or null when absent or JSON null; a non-string is a decode error. */
    static String string(JsonObject o, String name, String problem) {
        JsonElement e = field(o, name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw ApiError.badRequest(problem + "field " + name + " must be a string");
        }
        return e.getAsString();
    }
}
