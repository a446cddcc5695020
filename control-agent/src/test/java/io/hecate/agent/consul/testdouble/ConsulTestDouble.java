package io.hecate.agent.consul.testdouble;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A test double of HashiCorp Consul's HTTP API — not Consul: a single in-memory "server" that answers the
 * endpoints below as https://developer.hashicorp.com/consul/api-docs documents them, for tests of code
 * that talks to Consul (through the ecwid client or plain HTTP) on machines where no Consul can run.
 *
 * <ul>
 *   <li>KV ({@code /v1/kv}), with blocking queries, CAS, flags and session locks — {@link KvEndpoint};</li>
 *   <li>transactions ({@code /v1/txn}), KV operations only — {@link TxnEndpoint};</li>
 *   <li>sessions ({@code /v1/session}), with TTLs, behaviors and lock delay — {@link SessionEndpoint};</li>
 *   <li>catalog and health reads ({@code /v1/catalog/services}, {@code /v1/catalog/service/:name},
 *       {@code /v1/health/service/:name}) — {@link CatalogEndpoint};</li>
 *   <li>the agent ({@code /v1/agent/service/register}, {@code deregister}, {@code /v1/agent/self}) whose HTTP
 *       checks really run, and {@code /v1/status/leader} — {@link AgentEndpoint}.</li>
 * </ul>
 *
 * <p>It listens on 127.0.0.1, for datacenter "dc1", as node "consul-double". Anything else is a 404.
 * Each class carries the doc section it follows and what it simplifies.
 */
public final class ConsulTestDouble implements AutoCloseable {

    public static final String DATACENTER = "dc1";
    public static final String NODE_NAME = "consul-double";
    private static final Set<String> STATUSES = Set.of("passing", "warning", "critical");

    private final SSLContext sslContext;
    private final InetAddress loopback;
    private final RaftState state = new RaftState();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService requestThreads;
    private final Catalog catalog = new Catalog();
    private final KvStore kv;
    private final SessionStore sessions;
    private final AgentServices agent;
    private final ConsulRouter router;
    private HttpServer server;
    private volatile int port;
    private boolean closed;

    private ConsulTestDouble(SSLContext sslContext) {
        this.sslContext = sslContext;
        try {
            this.loopback = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(2, daemonThreads("consul-double-timer"));
        timers.setRemoveOnCancelPolicy(true);
        this.scheduler = timers;
        this.requestThreads = Executors.newCachedThreadPool(daemonThreads("consul-double-http"));
        this.kv = new KvStore(id -> sessions().exists(id));
        this.sessions = new SessionStore(state, kv, catalog, scheduler);
        this.catalog.listener(sessions::checkFailed);
        this.agent = new AgentServices(state, catalog, NODE_NAME, scheduler);
        state.write(idx -> {
            catalog.ensureNode(NODE_NAME, "127.0.0.1", idx);
            return null;
        });
        this.router = new ConsulRouter(state, DATACENTER,
                new KvEndpoint(state, kv),
                new TxnEndpoint(state, kv),
                new SessionEndpoint(state, sessions, NODE_NAME),
                new CatalogEndpoint(state, catalog, DATACENTER),
                new AgentEndpoint(state, catalog, agent, NODE_NAME, DATACENTER));
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts on a random loopback port. */
    public static ConsulTestDouble start() throws IOException {
        return start(0);
    }

    /** Starts on the given loopback port (0: a random one). */
    public static ConsulTestDouble start(int port) throws IOException {
        return listening(new ConsulTestDouble(null), port);
    }

    /** Starts serving HTTPS with {@code context} (its key managers hold the server certificate) on a random loopback port. */
    public static ConsulTestDouble startHttps(SSLContext context) throws IOException {
        return listening(new ConsulTestDouble(context), 0);
    }

    private static ConsulTestDouble listening(ConsulTestDouble d, int port) throws IOException {
        try {
            d.listen(port);
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** "http://127.0.0.1:PORT", or "https://…" when started with {@link #startHttps}. */
    public String address() {
        return (sslContext == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Turns ACLs on: from now on a request whose token (X-Consul-Token, "Authorization: Bearer T" or
     * {@code ?token=T}) is not {@code token} is refused with 403 "ACL not found". Null turns ACLs off.
     */
    public ConsulTestDouble requireToken(String token) {
        router.requireToken(token);
        return this;
    }

    /**
     * Consul's {@code session_ttl_min} (10s by default): the shortest session TTL accepted. A test lowers it
     * to watch TTL expiry within its time budget, as an operator could on a real cluster.
     */
    public ConsulTestDouble sessionTtlMin(Duration min) {
        state.atomically(() -> {
            sessions.ttlMin(min);
            return null;
        });
        return this;
    }

    /**
     * Stops listening and closes every open connection at once: blocking queries in flight fail on the
     * client side with an I/O error. Data stays in memory; session TTLs and agent checks pause.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stop(0);
        server = null;
        state.abortWaiters();
        state.atomically(() -> {
            sessions.pause();
            return null;
        });
        agent.pause();
    }

    /**
     * Listens again on the same port, with the data kept. With {@code resetIndex}, the Raft index starts
     * over, as when the data is re-created in a fresh cluster: every catalog entry, session and KV entry is
     * renumbered with small indexes from 1 (CreateIndex = ModifyIndex), so indexes clients hold are now
     * ahead of the server's — the case https://developer.hashicorp.com/consul/api-docs/features/blocking
     * tells clients to handle by resetting their index when it goes backwards.
     */
    public synchronized void restart(boolean resetIndex) throws IOException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        stop();
        if (resetIndex) {
            state.atomically(() -> {
                AtomicLong counter = new AtomicLong();
                catalog.reseed(counter::incrementAndGet);
                sessions.reseed(counter::incrementAndGet);
                kv.reseed(counter::incrementAndGet);
                state.resetIndex(counter.get());
                return null;
            });
        }
        listen(port);
        state.atomically(() -> {
            sessions.resume();
            return null;
        });
        agent.resume();
    }

    /** The current Raft index (never 0). */
    public long index() {
        return state.index();
    }

    /** Stops for good. */
    @Override
    public synchronized void close() {
        stop();
        closed = true;
        scheduler.shutdownNow();
        requestThreads.shutdownNow();
    }

    // ---------------------------------------------------------------- KV, as a test sees it

    /** Writes a key (UTF-8 text; a leading '/' is dropped, as keys are stored without one). */
    public void put(String key, String value) {
        String k = KvEndpoint.stripLeadingSlashes(key);
        state.write(idx -> kv.set(k, value.getBytes(StandardCharsets.UTF_8), 0, idx));
    }

    /** The key's value as UTF-8 text ("" when empty), or null when absent. */
    public String get(String key) {
        KvEntry e = state.atomically(() -> kv.get(KvEndpoint.stripLeadingSlashes(key)));
        return e == null ? null : text(e);
    }

    public void delete(String key) {
        String k = KvEndpoint.stripLeadingSlashes(key);
        state.write(idx -> kv.delete(k, idx));
    }

    /** Every key under {@code prefix} ("" for all) with its value. */
    public SortedMap<String, String> kv(String prefix) {
        String p = KvEndpoint.stripLeadingSlashes(prefix);
        SortedMap<String, String> out = new TreeMap<>();
        state.atomically(() -> kv.list(p)).forEach(e -> out.put(e.key(), text(e)));
        return out;
    }

    // ---------------------------------------------------------------- catalog, as a test sees it

    /**
     * Registers service instance {@code id} on {@code node} (created with {@code address} if new), with one
     * check "service:ID" in {@code status}: passing, warning or critical.
     */
    public void registerService(String node, String id, String name, String address, int port, List<String> tags,
                                String status) {
        requireStatus(status);
        state.write(idx -> {
            catalog.ensureNode(node, address, idx);
            catalog.registerService(new Catalog.Service(node, id, name, tags, address, port, Map.of(), 0, 0),
                    List.of(new Catalog.CheckSpec("service:" + id, "Service '" + name + "' check", "", status)), idx);
            return null;
        });
    }

    /** Sets the status of every check of the service instance(s) with this ID. */
    public void setStatus(String serviceId, String status) {
        requireStatus(status);
        state.atomically(() -> {
            List<Catalog.Service> found = catalog.servicesWithId(serviceId);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("no service with ID " + serviceId);
            }
            for (Catalog.Service s : found) {
                for (Catalog.Check c : catalog.serviceChecks(s.node(), s.id())) {
                    if (catalog.statusDiffers(s.node(), c.checkId(), status)) {
                        catalog.updateCheck(s.node(), c.checkId(), status, "set by the test", state.nextIndex());
                    }
                }
            }
            return null;
        });
    }

    /** Removes the service instance(s) with this ID, whether the test or the agent endpoint registered them. */
    public void deregisterService(String serviceId) {
        state.atomically(() -> {
            List<Catalog.Service> found = catalog.servicesWithId(serviceId);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("no service with ID " + serviceId);
            }
            long idx = state.nextIndex();
            for (Catalog.Service s : found) {
                if (!(s.node().equals(NODE_NAME) && agent.deregister(serviceId, idx))) {
                    catalog.deregisterService(s.node(), serviceId, idx);
                }
            }
            return null;
        });
    }

    /** What arrived at /v1/agent/service/register and is still registered, with each check's latest status. */
    public List<AgentRegistration> agentRegistrations() {
        return state.atomically(agent::snapshot);
    }

    // ---------------------------------------------------------------- requests

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return router.requests();
    }

    public void clearRequests() {
        router.clearRequests();
    }

    // ---------------------------------------------------------------- internals

    private synchronized void listen(int requestedPort) throws IOException {
        InetSocketAddress address = new InetSocketAddress(loopback, requestedPort);
        HttpServer s;
        if (sslContext == null) {
            s = HttpServer.create(address, 0);
        } else {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(sslContext));
            s = https;
        }
        s.createContext("/", router);
        s.setExecutor(requestThreads);
        s.start();
        server = s;
        port = s.getAddress().getPort();
    }

    private SessionStore sessions() {
        return sessions;
    }

    private static String text(KvEntry e) {
        return e.value() == null ? "" : new String(e.value(), StandardCharsets.UTF_8);
    }

    private static void requireStatus(String status) {
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("status must be passing, warning or critical, not " + status);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
