package io.hecate.auth;

import io.hecate.auth.internal.AuthStats;

/**
 * The metrics of this module's filters, rendered in the Prometheus text format (0.0.4) so they can
 * be appended to Hecate's {@code /metrics}:
 *
 * <ul>
 *   <li>{@code hecate_auth_decisions_total{route,filter,outcome}}: decisions, outcome one of
 *       {@code allowed}, {@code denied}, {@code unavailable} (503), {@code timeout} (504),
 *       {@code invalid} (502), {@code circuit_open} (503), {@code overloaded} (503);</li>
 *   <li>{@code hecate_auth_duration_seconds{route,filter}}: how long deciding took (summary);</li>
 *   <li>{@code hecate_auth_service_requests_total{service,status}} and
 *       {@code hecate_auth_service_duration_seconds{service}}: subrequests to each auth service;</li>
 *   <li>{@code hecate_auth_coalesced_total{service}}: checks that shared an identical subrequest in flight;</li>
 *   <li>{@code hecate_auth_cache_hits_total{route,filter}}, {@code hecate_auth_password_checks_total{route,filter}}
 *       and {@code hecate_auth_circuit_open{service}}.</li>
 * </ul>
 *
 * <p>Factories made without an explicit instance (as {@link java.util.ServiceLoader} makes them)
 * all record into {@link #shared()}.
 */
public final class AuthMetrics {

    private static final AuthMetrics SHARED = new AuthMetrics();

    private final AuthStats stats = new AuthStats();

    /** The instance the no-argument factory constructors record into. */
    public static AuthMetrics shared() {
        return SHARED;
    }

    /** Appends every auth series, with their {@code # HELP} and {@code # TYPE} lines, to {@code out}. */
    public void renderTo(StringBuilder out) {
        stats.render(out);
    }

    /** The Prometheus text of every auth series. */
    public String render() {
        StringBuilder out = new StringBuilder(2048);
        renderTo(out);
        return out.toString();
    }

    /** Decisions on {@code routeId} with {@code outcome} (e.g. {@code allowed}, {@code timeout}), over all filter types. */
    public long decisions(String routeId, String outcome) {
        for (AuthStats.Outcome o : AuthStats.Outcome.values()) {
            if (o.label.equals(outcome)) {
                return stats.decisions(routeId, o);
            }
        }
        throw new IllegalArgumentException("no outcome " + outcome);
    }

    /** Subrequests sent to the auth service {@code origin} ({@code http://host:port}), answered or not. */
    public long serviceRequests(String origin) {
        return stats.serviceCalls(origin);
    }

    /** Checks that waited for an identical subrequest to {@code origin} instead of sending their own. */
    public long coalesced(String origin) {
        return stats.coalesced(origin);
    }

    /** Decisions on {@code routeId} taken from the forward-auth decision cache. */
    public long cacheHits(String routeId) {
        return stats.cacheHits(routeId);
    }

    /** bcrypt verifications run for {@code routeId}. */
    public long passwordChecks(String routeId) {
        return stats.passwordChecks(routeId);
    }

    AuthStats stats() {
        return stats;
    }
}
