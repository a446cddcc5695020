package io.hecate.agent.consul.testdouble;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The double's own agent: services registered through {@code /v1/agent/service/register} live on its node
 * ("consul-double"), their HTTP checks really run ({@link HttpCheckRunner}), and each result goes into the
 * catalog like any agent's anti-entropy sync would put it — see
 * https://developer.hashicorp.com/consul/api-docs/agent/service ("Register Service", "Deregister Service").
 *
 * <p>A check is critical until its first result unless the registration gave an initial Status. With
 * DeregisterCriticalServiceAfter, a service whose check stayed critical that long is deregistered; as in
 * Consul the shortest such timeout honoured is one minute.
 *
 * <p>Simplifications: only HTTP checks run; TTL, TCP, gRPC, script and Docker checks are registered but
 * keep their initial status (a TTL check cannot be updated: there is no {@code /v1/agent/check/pass}).
 * Every method runs under {@link RaftState}'s lock except {@link #checkResult}, which takes it.
 */
final class AgentServices {

    static final Duration MIN_DEREGISTER_AFTER = Duration.ofMinutes(1);

    /** One check of a registration, as the request gave it. */
    record CheckDefinition(String checkId, String name, String http, String method,
                           Map<String, List<String>> headers, String interval, String timeout,
                           String deregisterCriticalServiceAfter, String ttl, String tcp, String initialStatus) {
        String type() {
            if (http != null) {
                return "http";
            }
            if (tcp != null) {
                return "tcp";
            }
            return ttl != null ? "ttl" : "";
        }
    }

    /** A registration as the request gave it. */
    record Registration(String id, String name, List<String> tags, String address, int port,
                        Map<String, String> meta, List<CheckDefinition> checks) {
    }

    private final RaftState state;
    private final Catalog catalog;
    private final String nodeName;
    private final HttpCheckRunner runner;
    private final Map<String, Registration> registrations = new LinkedHashMap<>();
    private final Map<String, Long> criticalSinceNanos = new HashMap<>();

    AgentServices(RaftState state, Catalog catalog, String nodeName, ScheduledExecutorService scheduler) {
        this.state = state;
        this.catalog = catalog;
        this.nodeName = nodeName;
        this.runner = new HttpCheckRunner(scheduler, this::checkResult);
    }

    void register(Registration r, long idx) {
        Registration previous = registrations.remove(r.id());
        if (previous != null) {
            previous.checks().forEach(c -> runner.stop(c.checkId()));
        }
        List<Catalog.CheckSpec> specs = new ArrayList<>();
        for (CheckDefinition c : r.checks()) {
            // A check that was already there keeps its status across a re-registration, as the agent keeps it.
            String previousStatus = previous == null ? null : catalog.checkStatus(nodeName, c.checkId());
            String initial = c.initialStatus() == null || c.initialStatus().isEmpty() ? "critical" : c.initialStatus();
            specs.add(new Catalog.CheckSpec(c.checkId(), c.name(), c.type(),
                    previousStatus != null ? previousStatus : initial));
        }
        catalog.registerService(new Catalog.Service(nodeName, r.id(), r.name(), r.tags(), r.address(), r.port(),
                r.meta(), 0, 0), specs, idx);
        registrations.put(r.id(), r);
        for (CheckDefinition c : r.checks()) {
            criticalSinceNanos.remove(c.checkId());
            if (c.http() != null) {
                Duration interval = Durations.parse(c.interval());
                if (interval.compareTo(HttpCheckRunner.MIN_INTERVAL) < 0) {
                    interval = HttpCheckRunner.MIN_INTERVAL;
                }
                Duration timeout = c.timeout() == null || c.timeout().isEmpty()
                        ? HttpCheckRunner.DEFAULT_TIMEOUT : Durations.parse(c.timeout());
                runner.start(new HttpCheckRunner.Spec(c.checkId(), URI.create(c.http()),
                        c.method() == null || c.method().isEmpty() ? "GET" : c.method(), c.headers(), interval, timeout));
            }
        }
    }

    /** Deregisters one of this agent's services; false when the agent does not have it. */
    boolean deregister(String id, long idx) {
        Registration r = registrations.remove(id);
        if (r == null) {
            return false;
        }
        r.checks().forEach(c -> {
            runner.stop(c.checkId());
            criticalSinceNanos.remove(c.checkId());
        });
        catalog.deregisterService(nodeName, id, idx);
        return true;
    }

    /** The test's view: each registration still in place, with its checks' latest statuses. */
    List<AgentRegistration> snapshot() {
        List<AgentRegistration> out = new ArrayList<>();
        for (Registration r : registrations.values()) {
            List<AgentRegistration.Check> checks = new ArrayList<>();
            for (CheckDefinition c : r.checks()) {
                String status = catalog.checkStatus(nodeName, c.checkId());
                checks.add(new AgentRegistration.Check(c.checkId(), c.http(), c.interval(), c.timeout(),
                        c.deregisterCriticalServiceAfter(), status));
            }
            out.add(new AgentRegistration(r.id(), r.name(), r.address(), r.port(), r.tags(), r.meta(), checks));
        }
        return out;
    }

    void pause() {
        runner.pause();
    }

    void resume() {
        runner.resume();
    }

    /** A check result arrives from the runner (on a scheduler thread). */
    private void checkResult(String checkId, String status, String output) {
        state.atomically(() -> {
            Registration owner = ownerOf(checkId);
            if (owner == null) {
                return null;
            }
            if (catalog.statusDiffers(nodeName, checkId, status)) {
                catalog.updateCheck(nodeName, checkId, status, output, state.nextIndex());
            }
            if (!status.equals("critical")) {
                criticalSinceNanos.remove(checkId);
                return null;
            }
            long since = criticalSinceNanos.computeIfAbsent(checkId, id -> System.nanoTime());
            CheckDefinition def = owner.checks().stream().filter(c -> c.checkId().equals(checkId)).findFirst().orElseThrow();
            if (def.deregisterCriticalServiceAfter() != null && !def.deregisterCriticalServiceAfter().isEmpty()) {
                Duration after = Durations.parse(def.deregisterCriticalServiceAfter());
                if (after.compareTo(MIN_DEREGISTER_AFTER) < 0) {
                    after = MIN_DEREGISTER_AFTER;
                }
                if (System.nanoTime() - since >= after.toNanos()) {
                    deregister(owner.id(), state.nextIndex());
                }
            }
            return null;
        });
    }

    private Registration ownerOf(String checkId) {
        for (Registration r : registrations.values()) {
            for (CheckDefinition c : r.checks()) {
                if (c.checkId().equals(checkId)) {
                    return r;
                }
            }
        }
        return null;
    }
}
