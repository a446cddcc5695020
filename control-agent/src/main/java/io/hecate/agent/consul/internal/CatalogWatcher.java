package io.hecate.agent.consul.internal;

import com.ecwid.consul.v1.catalog.CatalogServicesRequest;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows the catalog: one blocking watch on the service list finds the services tagged
 * {@code hecate.enable=true}, and one blocking watch per such service follows its instances and
 * their checks. An instance takes traffic when each of its checks is in an accepted state.
 */
public final class CatalogWatcher implements AutoCloseable {

    private static final String SERVICES = "catalog services";

    private final ConsulConnection consul;
    private final ConsulState state;
    private final Set<String> acceptedStates;
    private final Runnable changed;
    private final Map<String, BlockingWatch<List<HealthService>>> instanceWatches = new ConcurrentHashMap<>();
    private BlockingWatch<Map<String, List<String>>> services;
    private volatile boolean closed;

    public CatalogWatcher(ConsulConnection consul, ConsulState state, Set<String> acceptedStates, Runnable changed) {
        this.consul = consul;
        this.state = state;
        this.acceptedStates = Set.copyOf(acceptedStates);
        this.changed = changed;
    }

    public synchronized void start() {
        services = new BlockingWatch<>(SERVICES, consul,
                params -> consul.client().getCatalogServices(
                        CatalogServicesRequest.newBuilder().setQueryParams(params).build()),
                new BlockingWatch.Listener<>() {
                    @Override
                    public void changed(Map<String, List<String>> value, long index) {
                        servicesChanged(value == null ? Map.of() : value);
                        state.watchChanged(SERVICES, index);
                    }

                    @Override
                    public void failed(ConsulUnavailableException error) {
                        state.watchFailed(SERVICES, error.getMessage());
                    }
                }).start();
    }

    private synchronized void servicesChanged(Map<String, List<String>> all) {
        if (closed) {
            return;
        }
        Map<String, List<String>> enabled = new TreeMap<>();
        all.forEach((name, tags) -> {
            if (CatalogTags.enabled(tags)) {
                enabled.put(name, List.copyOf(tags));
            }
        });
        state.services(enabled);
        instanceWatches.keySet().removeIf(name -> {
            if (enabled.containsKey(name)) {
                return false;
            }
            instanceWatches.get(name).close();
            state.watchEnded(query(name));
            return true;
        });
        enabled.keySet().forEach(name -> instanceWatches.computeIfAbsent(name, this::watchInstances));
        changed.run();
    }

    private BlockingWatch<List<HealthService>> watchInstances(String service) {
        String query = query(service);
        return new BlockingWatch<>(query, consul,
                params -> consul.client().getHealthServices(service,
                        HealthServicesRequest.newBuilder().setPassing(false).setQueryParams(params).build()),
                new BlockingWatch.Listener<>() {
                    @Override
                    public void changed(List<HealthService> value, long index) {
                        state.instances(service, instances(value == null ? List.of() : value));
                        state.watchChanged(query, index);
                        CatalogWatcher.this.changed.run();
                    }

                    @Override
                    public void failed(ConsulUnavailableException error) {
                        state.watchFailed(query, error.getMessage());
                    }
                }).start();
    }

    private List<ConsulState.Instance> instances(List<HealthService> entries) {
        List<ConsulState.Instance> instances = new ArrayList<>();
        for (HealthService entry : entries) {
            HealthService.Service service = entry.getService();
            if (service == null || service.getPort() == null) {
                continue;
            }
            // Consul's documented fallback: an instance without an address of its own is on its node's.
            String address = service.getAddress() == null || service.getAddress().isBlank()
                    ? entry.getNode().getAddress() : service.getAddress();
            boolean accepted = entry.getChecks() == null || entry.getChecks().stream()
                    .allMatch(check -> accepted(check.getStatus()));
            instances.add(new ConsulState.Instance(service.getId(), address, service.getPort(), accepted));
        }
        return instances;
    }

    private boolean accepted(Check.CheckStatus status) {
        return status != null && acceptedStates.contains(status.name().toLowerCase(Locale.ROOT));
    }

    private static String query(String service) {
        return "health service " + service;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (services != null) {
            services.close();
        }
        instanceWatches.values().forEach(BlockingWatch::close);
        instanceWatches.clear();
    }
}
