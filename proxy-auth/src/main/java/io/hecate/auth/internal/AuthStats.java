package io.hecate.auth.internal;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The numbers behind {@code io.hecate.auth.AuthMetrics}: written from every event loop without
 * locks ({@link LongAdder}, {@link ConcurrentHistogram}), rendered on a scrape.
 */
public final class AuthStats {

    private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(10);
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    /** What an auth filter decided about one request. */
    public enum Outcome {
        /** Let through (the provider answered 2xx, the password or the address was accepted). */
        ALLOWED,
        /** Refused by the policy: the provider's non-2xx answer, a wrong password, an address not allowed. */
        DENIED,
        /** The auth service could not be reached (refused, unresolvable, closed): 503. */
        UNAVAILABLE,
        /** The auth service did not answer within the timeout: 504. */
        TIMEOUT,
        /** The auth service answered something that is not a usable HTTP response: 502. */
        INVALID,
        /** The circuit breaker around the auth service is open: 503 without asking it. */
        CIRCUIT_OPEN,
        /** Too many password checks queued: 503. */
        OVERLOADED;

        public final String label = name().toLowerCase(Locale.ROOT);
    }

    /** Decisions and their latency for one route and filter type. */
    public static final class RouteStats {
        final String route;
        final String filter;
        final LongAdder[] outcomes = new LongAdder[Outcome.values().length];
        final LongAdder cacheHits = new LongAdder();
        final LongAdder passwordChecks = new LongAdder();
        final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(MAX_TRACKED_MICROS, 2);

        RouteStats(String route, String filter) {
            this.route = route;
            this.filter = filter;
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] = new LongAdder();
            }
        }

        public void decided(Outcome outcome, long startNanos) {
            outcomes[outcome.ordinal()].increment();
            long micros = (System.nanoTime() - startNanos) / 1000;
            latencyMicros.recordValue(Math.min(Math.max(micros, 0), MAX_TRACKED_MICROS));
        }

        public void cacheHit() {
            cacheHits.increment();
        }

        public void passwordCheck() {
            passwordChecks.increment();
        }
    }

    /** Calls to one auth service. */
    public static final class ServiceStats {
        final String service;
        /** Index = status / 100 (1..5); 0 counts calls that got no response (refused, timeout, invalid). */
        final LongAdder[] calls = new LongAdder[6];
        final LongAdder coalesced = new LongAdder();
        final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(MAX_TRACKED_MICROS, 2);
        volatile Supplier<String> circuitState = () -> "closed";

        ServiceStats(String service) {
            this.service = service;
            for (int i = 0; i < calls.length; i++) {
                calls[i] = new LongAdder();
            }
        }

        public void called(int status, long startNanos) {
            int statusClass = status / 100;
            calls[statusClass >= 1 && statusClass <= 5 ? statusClass : 0].increment();
            long micros = (System.nanoTime() - startNanos) / 1000;
            latencyMicros.recordValue(Math.min(Math.max(micros, 0), MAX_TRACKED_MICROS));
        }

        public void coalesced() {
            coalesced.increment();
        }

        public void circuitState(Supplier<String> state) {
            circuitState = state;
        }

        long calls() {
            long total = 0;
            for (LongAdder c : calls) {
                total += c.sum();
            }
            return total;
        }
    }

    /** filter type -> route id -> stats; two lookups without allocating on the request path. */
    private final Map<String, Map<String, RouteStats>> routes = new ConcurrentHashMap<>();
    private final Map<String, ServiceStats> services = new ConcurrentHashMap<>();

    public RouteStats route(String routeId, String filterType) {
        Map<String, RouteStats> byRoute = routes.get(filterType);
        if (byRoute == null) {
            byRoute = routes.computeIfAbsent(filterType, f -> new ConcurrentHashMap<>());
        }
        RouteStats stats = byRoute.get(routeId);
        return stats != null ? stats : byRoute.computeIfAbsent(routeId, r -> new RouteStats(r, filterType));
    }

    public ServiceStats service(String service) {
        return services.computeIfAbsent(service, ServiceStats::new);
    }

    public long decisions(String routeId, Outcome outcome) {
        long total = 0;
        for (Map<String, RouteStats> byRoute : routes.values()) {
            RouteStats stats = byRoute.get(routeId);
            if (stats != null) {
                total += stats.outcomes[outcome.ordinal()].sum();
            }
        }
        return total;
    }

    public long cacheHits(String routeId) {
        return sumRoute(routeId, s -> s.cacheHits.sum());
    }

    public long passwordChecks(String routeId) {
        return sumRoute(routeId, s -> s.passwordChecks.sum());
    }

    private long sumRoute(String routeId, java.util.function.ToLongFunction<RouteStats> f) {
        long total = 0;
        for (Map<String, RouteStats> byRoute : routes.values()) {
            RouteStats stats = byRoute.get(routeId);
            if (stats != null) {
                total += f.applyAsLong(stats);
            }
        }
        return total;
    }

    public long serviceCalls(String service) {
        ServiceStats stats = services.get(service);
        return stats == null ? 0 : stats.calls();
    }

    public long coalesced(String service) {
        ServiceStats stats = services.get(service);
        return stats == null ? 0 : stats.coalesced.sum();
    }

    public void render(StringBuilder out) {
        header(out, "hecate_auth_decisions_total", "counter",
                "Auth filter decisions, by route, filter type and outcome.");
        forEachRoute(s -> {
            for (Outcome outcome : Outcome.values()) {
                long n = s.outcomes[outcome.ordinal()].sum();
                if (n > 0) {
                    out.append("hecate_auth_decisions_total{route=\"").append(escape(s.route))
                            .append("\",filter=\"").append(escape(s.filter))
                            .append("\",outcome=\"").append(outcome.label).append("\"} ").append(n).append('\n');
                }
            }
        });
        header(out, "hecate_auth_duration_seconds", "summary",
                "Time an auth filter took to decide, from the filter starting to its decision.");
        forEachRoute(s -> summary(out, "hecate_auth_duration_seconds",
                "route=\"" + escape(s.route) + "\",filter=\"" + escape(s.filter) + "\"", s.latencyMicros.copy()));
        header(out, "hecate_auth_cache_hits_total", "counter", "Forward-auth decisions taken from the decision cache.");
        forEachRoute(s -> {
            if (s.cacheHits.sum() > 0) {
                labelled(out, "hecate_auth_cache_hits_total", s, s.cacheHits.sum());
            }
        });
        header(out, "hecate_auth_password_checks_total", "counter",
                "bcrypt verifications run (the ones the verified-password cache did not spare).");
        forEachRoute(s -> {
            if (s.passwordChecks.sum() > 0) {
                labelled(out, "hecate_auth_password_checks_total", s, s.passwordChecks.sum());
            }
        });

        header(out, "hecate_auth_service_requests_total", "counter",
                "Subrequests sent to auth services, by service and status class (none: no response).");
        String[] classes = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
        services.values().forEach(s -> {
            for (int i = 0; i < classes.length; i++) {
                long n = s.calls[i].sum();
                if (n > 0) {
                    out.append("hecate_auth_service_requests_total{service=\"").append(escape(s.service))
                            .append("\",status=\"").append(classes[i]).append("\"} ").append(n).append('\n');
                }
            }
        });
        header(out, "hecate_auth_service_duration_seconds", "summary", "Auth service subrequest latency, by service.");
        services.values().forEach(s -> summary(out, "hecate_auth_service_duration_seconds",
                "service=\"" + escape(s.service) + "\"", s.latencyMicros.copy()));
        header(out, "hecate_auth_coalesced_total", "counter",
                "Checks answered by an identical subrequest already in flight, by service.");
        services.values().forEach(s -> out.append("hecate_auth_coalesced_total{service=\"").append(escape(s.service))
                .append("\"} ").append(s.coalesced.sum()).append('\n'));
        header(out, "hecate_auth_circuit_open", "gauge",
                "1 while the circuit breaker around the auth service refuses calls (open or forced open), else 0.");
        services.values().forEach(s -> {
            String state = s.circuitState.get();
            out.append("hecate_auth_circuit_open{service=\"").append(escape(s.service)).append("\"} ")
                    .append(state.equals("open") || state.equals("forced_open") ? 1 : 0).append('\n');
        });
    }

    private void forEachRoute(java.util.function.Consumer<RouteStats> action) {
        routes.values().forEach(byRoute -> byRoute.values().forEach(action));
    }

    private static void labelled(StringBuilder out, String name, RouteStats s, long value) {
        out.append(name).append("{route=\"").append(escape(s.route)).append("\",filter=\"").append(escape(s.filter))
                .append("\"} ").append(value).append('\n');
    }

    private static void summary(StringBuilder out, String name, String labels, Histogram h) {
        for (double q : QUANTILES) {
            out.append(name).append('{').append(labels).append(",quantile=\"").append(q).append("\"} ")
                    .append(seconds(h.getValueAtPercentile(q * 100))).append('\n');
        }
        out.append(name).append("_sum{").append(labels).append("} ")
                .append(seconds((long) (h.getMean() * h.getTotalCount()))).append('\n');
        out.append(name).append("_count{").append(labels).append("} ").append(h.getTotalCount()).append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String seconds(long micros) {
        return Double.toString(micros / 1_000_000.0);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
