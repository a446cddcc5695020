package io.hecate.agent.consul.testdouble;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The catalog: nodes, the services registered on them and their health checks, with the indexes that
 * https://developer.hashicorp.com/consul/api-docs/catalog and https://developer.hashicorp.com/consul/api-docs/health
 * report in X-Consul-Index.
 *
 * <ul>
 *   <li>{@code /v1/catalog/services} reports the services table's index: it moves when an instance is
 *       registered or deregistered, not when a check changes.</li>
 *   <li>{@code /v1/catalog/service/:name} and {@code /v1/health/service/:name} report the index of the last
 *       change to that service — an instance registered, changed or removed, or one of its checks changing
 *       status — so a blocking query on one service is not woken by another. A name never registered
 *       reports the catalog's index.</li>
 *   <li>Every node carries the agent's {@code serfHealth} check ("Serf Health Status"), passing: the double
 *       models each node as one running a live Consul agent.</li>
 * </ul>
 *
 * <p>Simplifications: no node meta, tagged addresses are the node address, no service kinds (Connect),
 * weights are always 1/1, and a check's Output changing alone does not count as a change (Consul's agent
 * only syncs output changes every {@code check_update_interval}, 5 minutes). Every method runs under
 * {@link RaftState}'s lock.
 */
final class Catalog {

    record Node(String id, String name, String address, long createIndex, long modifyIndex) {
    }

    record Service(String node, String id, String name, List<String> tags, String address, int port,
                   Map<String, String> meta, long createIndex, long modifyIndex) {
    }

    record Check(String node, String checkId, String name, String status, String output, String type,
                 String serviceId, String serviceName, List<String> serviceTags, long createIndex, long modifyIndex) {
        Check withStatus(String newStatus, String newOutput, long idx) {
            return new Check(node, checkId, name, newStatus, newOutput, type, serviceId, serviceName, serviceTags,
                    createIndex, idx);
        }

        Check withIndexes(long idx) {
            return new Check(node, checkId, name, status, output, type, serviceId, serviceName, serviceTags, idx, idx);
        }
    }

    /** A check to register with a service: its ID, name, type and initial status. */
    record CheckSpec(String checkId, String name, String type, String status) {
    }

    /** One instance as health and catalog queries see it. */
    record Instance(Node node, Service service, List<Check> checks) {
        boolean passing() {
            return checks.stream().allMatch(c -> c.status().equals("passing"));
        }
    }

    /** Told when a check goes critical or is removed, so that sessions naming it are invalidated. */
    interface CheckFailureListener {
        void checkFailed(String node, String checkId, long idx);
    }

    private final NavigableMap<String, Node> nodes = new TreeMap<>();
    private final NavigableMap<String, NavigableMap<String, Service>> services = new TreeMap<>();
    private final NavigableMap<String, NavigableMap<String, Check>> checks = new TreeMap<>();
    private final Map<String, Long> serviceIndexes = new HashMap<>();
    private long nodesIndex;
    private long servicesIndex;
    private long checksIndex;
    private CheckFailureListener listener = (node, check, idx) -> { };

    void listener(CheckFailureListener listener) {
        this.listener = listener;
    }

    // ---------------------------------------------------------------- reads

    boolean hasNode(String node) {
        return nodes.containsKey(node);
    }

    /** Status of a check on a node, or null when there is no such check. */
    String checkStatus(String node, String checkId) {
        Check c = checks.getOrDefault(node, new TreeMap<>()).get(checkId);
        return c == null ? null : c.status();
    }

    /** {@code /v1/catalog/services}: each service name with the union of its instances' tags. */
    Map<String, List<String>> serviceTags() {
        Map<String, TreeSet<String>> tags = new TreeMap<>();
        for (Map<String, Service> onNode : services.values()) {
            for (Service s : onNode.values()) {
                tags.computeIfAbsent(s.name(), n -> new TreeSet<>()).addAll(s.tags());
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        tags.forEach((name, set) -> out.put(name, List.copyOf(set)));
        return out;
    }

    long servicesTableIndex() {
        return Math.max(1, Math.max(servicesIndex, nodesIndex));
    }

    long serviceIndex(String name) {
        Long idx = serviceIndexes.get(name);
        return idx != null ? Math.max(1, idx) : servicesTableIndex();
    }

    /** Instances of service {@code name} carrying every tag in {@code tags}, ordered by node then ID. */
    List<Instance> instances(String name, List<String> tags) {
        List<Instance> out = new ArrayList<>();
        for (Map.Entry<String, NavigableMap<String, Service>> onNode : services.entrySet()) {
            for (Service s : onNode.getValue().values()) {
                if (s.name().equals(name) && s.tags().containsAll(tags)) {
                    out.add(new Instance(nodes.get(s.node()), s, checksOf(s.node(), s.id())));
                }
            }
        }
        return out;
    }

    /** Every instance with this service ID, on any node (the test API addresses services by ID). */
    List<Service> servicesWithId(String serviceId) {
        List<Service> out = new ArrayList<>();
        for (Map<String, Service> onNode : services.values()) {
            Service s = onNode.get(serviceId);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** The checks of one service instance (not the node's). */
    List<Check> serviceChecks(String node, String serviceId) {
        return checks.getOrDefault(node, new TreeMap<>()).values().stream()
                .filter(c -> c.serviceId().equals(serviceId)).toList();
    }

    // ---------------------------------------------------------------- writes

    /** Registers a node with its passing serfHealth check, unless it is already there. */
    void ensureNode(String name, String address, long idx) {
        if (nodes.containsKey(name)) {
            return;
        }
        String id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
        nodes.put(name, new Node(id, name, address, idx, idx));
        checks.computeIfAbsent(name, n -> new TreeMap<>()).put(SessionStore.SERF_CHECK,
                new Check(name, SessionStore.SERF_CHECK, "Serf Health Status", "passing", "Agent alive and reachable",
                        "", "", "", List.of(), idx, idx));
        nodesIndex = idx;
        checksIndex = idx;
    }

    /** Registers (or replaces) a service instance on an existing node with exactly the given checks. */
    void registerService(Service in, List<CheckSpec> specs, long idx) {
        NavigableMap<String, Service> onNode = services.computeIfAbsent(in.node(), n -> new TreeMap<>());
        Service existing = onNode.get(in.id());
        Service stored = new Service(in.node(), in.id(), in.name(), List.copyOf(in.tags()), in.address(), in.port(),
                Map.copyOf(in.meta()), existing != null ? existing.createIndex() : idx, idx);
        onNode.put(in.id(), stored);
        servicesIndex = idx;
        serviceIndexes.put(in.name(), idx);
        if (existing != null && !existing.name().equals(in.name())) {
            serviceIndexes.put(existing.name(), idx);
        }
        NavigableMap<String, Check> nodeChecks = checks.computeIfAbsent(in.node(), n -> new TreeMap<>());
        List<String> keep = specs.stream().map(CheckSpec::checkId).toList();
        for (Check old : serviceChecks(in.node(), in.id())) {
            if (!keep.contains(old.checkId())) {
                nodeChecks.remove(old.checkId());
                listener.checkFailed(in.node(), old.checkId(), idx);
            }
        }
        for (CheckSpec spec : specs) {
            Check old = nodeChecks.get(spec.checkId());
            String status = spec.status();
            String output = old != null && old.status().equals(status) ? old.output() : "";
            nodeChecks.put(spec.checkId(), new Check(in.node(), spec.checkId(), spec.name(), status, output,
                    spec.type(), in.id(), in.name(), stored.tags(), old != null ? old.createIndex() : idx, idx));
            if (status.equals("critical")) {
                listener.checkFailed(in.node(), spec.checkId(), idx);
            }
        }
        checksIndex = idx;
    }

    /** Removes a service instance and its checks; false when there was none. */
    boolean deregisterService(String node, String serviceId, long idx) {
        Map<String, Service> onNode = services.get(node);
        Service removed = onNode == null ? null : onNode.remove(serviceId);
        if (removed == null) {
            return false;
        }
        for (Check c : serviceChecks(node, serviceId)) {
            checks.get(node).remove(c.checkId());
            listener.checkFailed(node, c.checkId(), idx);
        }
        servicesIndex = idx;
        checksIndex = idx;
        serviceIndexes.put(removed.name(), idx);
        return true;
    }

    /** Whether setting this status would change anything (callers avoid spending a Raft index otherwise). */
    boolean statusDiffers(String node, String checkId, String status) {
        String current = checkStatus(node, checkId);
        return current != null && !current.equals(status);
    }

    /** Sets a check's status; returns false (and writes nothing) when it is unknown or unchanged. */
    boolean updateCheck(String node, String checkId, String status, String output, long idx) {
        Map<String, Check> nodeChecks = checks.get(node);
        Check old = nodeChecks == null ? null : nodeChecks.get(checkId);
        if (old == null || old.status().equals(status)) {
            return false;
        }
        nodeChecks.put(checkId, old.withStatus(status, output, idx));
        checksIndex = idx;
        if (!old.serviceName().isEmpty()) {
            serviceIndexes.put(old.serviceName(), idx);
        }
        if (status.equals("critical")) {
            listener.checkFailed(node, checkId, idx);
        }
        return true;
    }

    // ---------------------------------------------------------------- restarts

    /**
     * The catalog re-registered in a fresh cluster: each node (with its node checks), then each service
     * instance (with its checks), at the next small index.
     */
    void reseed(LongSupplier next) {
        nodesIndex = 0;
        servicesIndex = 0;
        checksIndex = 0;
        serviceIndexes.clear();
        nodes.replaceAll((name, n) -> {
            long idx = next.getAsLong();
            nodesIndex = idx;
            checks.getOrDefault(name, new TreeMap<>()).replaceAll((id, c) ->
                    c.serviceId().isEmpty() ? c.withIndexes(idx) : c);
            return new Node(n.id(), n.name(), n.address(), idx, idx);
        });
        checksIndex = nodesIndex;
        services.forEach((node, onNode) -> onNode.replaceAll((id, s) -> {
            long idx = next.getAsLong();
            servicesIndex = idx;
            checksIndex = idx;
            serviceIndexes.put(s.name(), idx);
            checks.getOrDefault(node, new TreeMap<>()).replaceAll((checkId, c) ->
                    c.serviceId().equals(id) ? c.withIndexes(idx) : c);
            return new Service(s.node(), s.id(), s.name(), s.tags(), s.address(), s.port(), s.meta(), idx, idx);
        }));
    }

    private List<Check> checksOf(String node, String serviceId) {
        return checks.getOrDefault(node, new TreeMap<>()).values().stream()
                .filter(c -> c.serviceId().isEmpty() || c.serviceId().equals(serviceId)).toList();
    }
}
