package io.hecate.agent.consul.testdouble;

import java.util.List;
import java.util.Map;

/**
 * A service registered through {@code PUT /v1/agent/service/register} and still registered, as the test
 * sees it: what the request carried, and each check's latest status ("critical" until its first passing run).
 *
 * @param checks the service's checks in request order ({@code Check} first, then {@code Checks})
 */
public record AgentRegistration(String id, String name, String address, int port, List<String> tags,
                                Map<String, String> meta, List<Check> checks) {

    public AgentRegistration {
        tags = List.copyOf(tags);
        meta = Map.copyOf(meta);
        checks = List.copyOf(checks);
    }

    /**
     * One check of the registration.
     *
     * @param http     the HTTP check's URL, or null for another kind of check
     * @param interval as sent, e.g. "10s" (null if none)
     * @param timeout  as sent (null if none: Consul then uses 10s)
     * @param deregisterCriticalServiceAfter as sent (null if none)
     * @param status   passing, warning or critical: the latest result
     */
    public record Check(String checkId, String http, String interval, String timeout,
                        String deregisterCriticalServiceAfter, String status) {
    }

    /** The first (usually the only) check, or null when the registration has none. */
    public Check check() {
        return checks.isEmpty() ? null : checks.get(0);
    }

    /** The first check's latest status, or null when the registration has no check. */
    public String status() {
        Check c = check();
        return c == null ? null : c.status();
    }
}
