package io.hecate.agent.consul.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The latest of everything the watches saw in Consul: KV documents, catalog services and their
 * instances, and how each watch is doing. Written by the watch threads, read when a configuration
 * is assembled; each part is replaced whole, so a reader never sees half an answer.
 */
public final class ConsulState {

    /** A KV document as stored: its key, its text and the index of its last change. */
    public record Document(String key, String text, long modifyIndex) {
    }

    /** One instance of a catalog service, reduced to what routing needs. */
    public record Instance(String id, String address, int port, boolean accepted) {
        /** {@code host:port}, with brackets around an IPv6 address. */
        public String target() {
            return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
        }
    }

    /** How one watch is doing, for the admin API and metrics. */
    public record WatchStatus(String query, long index, Instant lastChange, Instant lastError, String error,
                              long errors) {
        WatchStatus changed(long newIndex, Instant now) {
            return new WatchStatus(query, newIndex, now, lastError, null, errors);
        }

        WatchStatus failed(String message, Instant now) {
            return new WatchStatus(query, index, lastChange, now, message, errors + 1);
        }
    }

    private volatile SortedMap<String, Document> routes = new TreeMap<>();
    private volatile SortedMap<String, Document> upstreams = new TreeMap<>();
    private volatile String routesRefusal;
    private volatile String upstreamsRefusal;
    private final Map<String, List<String>> serviceTags = new ConcurrentSkipListMap<>();
    private final Map<String, List<Instance>> instances = new ConcurrentSkipListMap<>();
    private final Map<String, WatchStatus> watches = new ConcurrentHashMap<>();
    private boolean answered;
    private long version;

    /**
     * Fills in answers kept from an earlier run, unless Consul has answered meanwhile (its answers
     * are newer, whatever they say).
     *
     * @return whether they were taken
     */
    public synchronized boolean seed(SortedMap<String, Document> cachedRoutes, SortedMap<String, Document> cachedUpstreams,
                                     Map<String, List<String>> cachedServices,
                                     Map<String, List<Instance>> cachedInstances) {
        if (answered) {
            return false;
        }
        routes = cachedRoutes;
        upstreams = cachedUpstreams;
        serviceTags.putAll(cachedServices);
        cachedInstances.forEach((service, list) -> {
            if (serviceTags.containsKey(service)) {
                instances.put(service, List.copyOf(list));
            }
        });
        version++;
        return true;
    }

    /** Grows with every change, so that a reader can tell whether anything changed since it last looked. */
    public synchronized long version() {
        return version;
    }

    public SortedMap<String, Document> routes() {
        return routes;
    }

    public SortedMap<String, Document> upstreams() {
        return upstreams;
    }

    /**
     * Takes a new answer for {@code routes/}. An empty answer where routes existed is refused
     * unless {@code allowEmpty}: a wiped folder is far more often an accident than an intent.
     *
     * @return whether it was taken
     */
    public synchronized boolean routes(SortedMap<String, Document> documents, boolean allowEmpty) {
        answered = true;
        version++;
        if (documents.isEmpty() && !routes.isEmpty() && !allowEmpty) {
            routesRefusal = emptied("routes", routes.size());
            return false;
        }
        routesRefusal = null;
        routes = documents;
        return true;
    }

    /** Takes a new answer for {@code upstreams/}, with the same rule as {@link #routes}. */
    public synchronized boolean upstreams(SortedMap<String, Document> documents, boolean allowEmpty) {
        answered = true;
        version++;
        if (documents.isEmpty() && !upstreams.isEmpty() && !allowEmpty) {
            upstreamsRefusal = emptied("upstreams", upstreams.size());
            return false;
        }
        upstreamsRefusal = null;
        upstreams = documents;
        return true;
    }

    private static String emptied(String folder, int had) {
        return "the " + folder + "/ folder in Consul is empty but " + had + " document(s) existed: keeping them"
                + " (set consul.allow_empty: true to allow an empty tree)";
    }

    /** Why the last answers for {@code routes/} and {@code upstreams/} were refused; empty when they were not. */
    public List<String> refusals() {
        List<String> refusals = new java.util.ArrayList<>(2);
        if (routesRefusal != null) {
            refusals.add(routesRefusal);
        }
        if (upstreamsRefusal != null) {
            refusals.add(upstreamsRefusal);
        }
        return refusals;
    }

    public Map<String, List<String>> serviceTags() {
        return serviceTags;
    }

    public synchronized void services(Map<String, List<String>> enabled) {
        answered = true;
        version++;
        serviceTags.keySet().retainAll(enabled.keySet());
        instances.keySet().retainAll(enabled.keySet());
        serviceTags.putAll(enabled);
    }

    public Map<String, List<Instance>> instances() {
        return instances;
    }

    public synchronized void instances(String service, List<Instance> list) {
        answered = true;
        version++;
        if (serviceTags.containsKey(service)) {
            instances.put(service, List.copyOf(list));
        }
    }

    public synchronized void watchChanged(String query, long index) {
        watches.compute(query, (q, s) -> (s == null ? fresh(q) : s).changed(index, Instant.now()));
        notifyAll();
    }

    public synchronized void watchFailed(String query, String error) {
        watches.compute(query, (q, s) -> (s == null ? fresh(q) : s).failed(error, Instant.now()));
        notifyAll();
    }

    /**
     * Waits until {@code condition} holds, checked each time a watch answers or fails.
     *
     * @return whether it held before {@code timeout}
     */
    public synchronized boolean awaitWatches(java.util.function.BooleanSupplier condition, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    public void watchEnded(String query) {
        watches.remove(query);
    }

    public Map<String, WatchStatus> watches() {
        return new TreeMap<>(watches);
    }

    /** Whether the last query of every watch was answered. */
    public boolean reachable() {
        return watches.values().stream().allMatch(s -> s.error() == null);
    }

    private static WatchStatus fresh(String query) {
        return new WatchStatus(query, 0, null, null, null, 0);
    }
}
