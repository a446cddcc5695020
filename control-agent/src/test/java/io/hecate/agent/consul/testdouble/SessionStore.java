package io.hecate.agent.consul.testdouble;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Sessions, after https://developer.hashicorp.com/consul/api-docs/session ("Create Session", "Delete
 * Session", "Read Session", "List Sessions", "Renew Session") and the contract in
 * https://developer.hashicorp.com/consul/docs/automate/session: a session is invalidated when it is
 * destroyed, when its TTL passes without a renewal, when its node goes away, or when one of its checks is
 * deregistered or goes critical. Invalidation releases (or, with Behavior "delete", deletes) the keys it
 * holds and puts them under its lock delay.
 *
 * <p>Simplifications: a TTL expires at TTL, not "up to double" it as Consul allows; the minimum TTL is
 * Consul's {@code session_ttl_min} (10s), which a test may lower as a Consul operator could; ServiceChecks
 * are accepted but not watched. TTL timers stop while the double is stopped and start afresh on restart,
 * as Consul resets them when a leader takes over.
 */
final class SessionStore {

    static final Duration TTL_MAX = Duration.ofHours(24);
    static final String SERF_CHECK = "serfHealth";

    record Session(String id, String name, String node, long lockDelayNanos, String behavior, String ttl,
                   List<String> nodeChecks, long createIndex, long modifyIndex) {
        Session withIndexes(long create, long modify) {
            return new Session(id, name, node, lockDelayNanos, behavior, ttl, nodeChecks, create, modify);
        }
    }

    /** What a create request asked for, already decoded by the endpoint. */
    record Request(String name, String node, Long lockDelayNanos, String behavior, String ttl, List<String> checks) {
    }

    private final RaftState state;
    private final KvStore kv;
    private final Catalog catalog;
    private final ScheduledExecutorService scheduler;
    private final NavigableMap<String, Session> sessions = new TreeMap<>();
    private final Map<String, Timer> timers = new HashMap<>();
    private Duration ttlMin = Duration.ofSeconds(10);
    private long tableIndex;
    private boolean paused;

    private record Timer(Object token, ScheduledFuture<?> future) {
    }

    SessionStore(RaftState state, KvStore kv, Catalog catalog, ScheduledExecutorService scheduler) {
        this.state = state;
        this.kv = kv;
        this.catalog = catalog;
        this.scheduler = scheduler;
    }

    void ttlMin(Duration min) {
        this.ttlMin = min;
    }

    boolean exists(String id) {
        return sessions.containsKey(id);
    }

    Session get(String id) {
        return sessions.get(id);
    }

    List<Session> list() {
        return new ArrayList<>(sessions.values());
    }

    List<Session> forNode(String node) {
        return sessions.values().stream().filter(s -> s.node().equals(node)).toList();
    }

    /** Index of session reads: the sessions table's. */
    long index() {
        return Math.max(1, tableIndex);
    }

    /** Validates like Consul's Session.Apply and the state store, then creates the session. */
    Session create(Request r, long idx) {
        String behavior = r.behavior() == null || r.behavior().isEmpty() ? "release" : r.behavior();
        if (!behavior.equals("release") && !behavior.equals("delete")) {
            throw ApiError.rpc("Invalid Behavior setting '" + behavior + "'");
        }
        String ttl = r.ttl() == null ? "" : r.ttl();
        Duration ttlDuration = Duration.ZERO;
        if (!ttl.isEmpty()) {
            try {
                ttlDuration = Durations.parse(ttl);
            } catch (IllegalArgumentException e) {
                throw ApiError.rpc("Session TTL '" + ttl + "' invalid: " + e.getMessage());
            }
            if (!ttlDuration.isZero() && (ttlDuration.compareTo(ttlMin) < 0 || ttlDuration.compareTo(TTL_MAX) > 0)) {
                throw ApiError.rpc("Invalid Session TTL '" + ttlDuration.toNanos() + "', must be between ["
                        + Durations.format(ttlMin) + "=" + Durations.format(TTL_MAX) + "]");
            }
        }
        if (!catalog.hasNode(r.node())) {
            throw ApiError.rpc("Missing node registration");
        }
        List<String> checks = r.checks() == null ? List.of(SERF_CHECK) : List.copyOf(r.checks());
        for (String check : checks) {
            String status = catalog.checkStatus(r.node(), check);
            if (status == null) {
                throw ApiError.rpc("Missing check '" + check + "' registration");
            }
            if (status.equals("critical")) {
                throw ApiError.rpc("Check '" + check + "' is in critical state");
            }
        }
        long lockDelay = r.lockDelayNanos() == null ? Duration.ofSeconds(15).toNanos() : r.lockDelayNanos();
        Session s = new Session(UUID.randomUUID().toString(), r.name() == null ? "" : r.name(), r.node(),
                lockDelay, behavior, ttl, checks, idx, idx);
        sessions.put(s.id(), s);
        tableIndex = idx;
        if (!ttlDuration.isZero()) {
            arm(s.id(), ttlDuration);
        }
        return s;
    }

    /** Destroys (invalidates) a session; destroying an unknown one is a no-op, as in Consul. */
    void destroy(String id, long idx) {
        Session s = sessions.remove(id);
        Timer timer = timers.remove(id);
        if (timer != null) {
            timer.future().cancel(false);
        }
        if (s == null) {
            return;
        }
        tableIndex = idx;
        kv.invalidateSession(id, s.behavior().equals("delete"), s.lockDelayNanos(), idx);
    }

    /** Restarts the TTL of a session; null if it does not exist (any more). */
    Session renew(String id) {
        Session s = sessions.get(id);
        if (s != null && !s.ttl().isEmpty() && !Durations.parse(s.ttl()).isZero()) {
            arm(id, Durations.parse(s.ttl()));
        }
        return s;
    }

    /** A check went critical or away: the sessions that named it are invalidated. */
    void checkFailed(String node, String checkId, long idx) {
        for (Session s : list()) {
            if (s.node().equals(node) && s.nodeChecks().contains(checkId)) {
                destroy(s.id(), idx);
            }
        }
    }

    // ---------------------------------------------------------------- stop / restart

    void pause() {
        paused = true;
        timers.values().forEach(t -> t.future().cancel(false));
        timers.clear();
    }

    void resume() {
        paused = false;
        for (Session s : sessions.values()) {
            if (!s.ttl().isEmpty() && !Durations.parse(s.ttl()).isZero()) {
                arm(s.id(), Durations.parse(s.ttl()));
            }
        }
    }

    /** Each session re-created in a fresh cluster at the next small index. */
    void reseed(LongSupplier next) {
        tableIndex = 0;
        sessions.replaceAll((id, s) -> {
            long idx = next.getAsLong();
            tableIndex = idx;
            return s.withIndexes(idx, idx);
        });
    }

    private void arm(String id, Duration ttl) {
        Timer old = timers.remove(id);
        if (old != null) {
            old.future().cancel(false);
        }
        if (paused) {
            return;
        }
        Object token = new Object();
        ScheduledFuture<?> future = scheduler.schedule(() -> expire(id, token), ttl.toNanos(), TimeUnit.NANOSECONDS);
        timers.put(id, new Timer(token, future));
    }

    private void expire(String id, Object token) {
        state.atomically(() -> {
            Timer current = timers.get(id);
            if (current != null && current.token() == token && sessions.containsKey(id)) {
                destroy(id, state.nextIndex());
            }
            return null;
        });
    }
}
