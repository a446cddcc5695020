package io.hecate.core.internal.runtime;

import io.hecate.core.internal.limit.AdmissionRegistry;
import io.hecate.core.internal.log.AccessLog;
import io.hecate.core.internal.log.AccessLogEntry;
import io.hecate.core.internal.metrics.Metrics;
import io.hecate.core.internal.transport.Transport;
import io.hecate.core.internal.upstream.ConnectionPool;
import io.hecate.core.internal.upstream.HealthRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** The state shared by every connection of one running proxy. */
public final class ProxyRuntime {

    private final Transport transport;
    private final Metrics metrics;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
    private final LongAdder accessLogDropped = new LongAdder();
    private volatile AccessLog accessLog;
    private volatile boolean draining;
    private final ChannelGroup downstreams = new DefaultChannelGroup("downstreams", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup upgraded = new DefaultChannelGroup("upgraded", GlobalEventExecutor.INSTANCE);
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final Map<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();
    private final HealthRegistry health = new HealthRegistry();
    private final AdmissionRegistry admissions = new AdmissionRegistry();

    public ProxyRuntime(Transport transport, Metrics metrics) {
        this.transport = transport;
        this.metrics = metrics;
        this.resolver = new DnsAddressResolverGroup(
                new DnsNameResolverBuilder().datagramChannelType(transport.datagramChannel()));
    }

    private volatile io.hecate.core.tls.HttpChallengeResponder challenges;

    /** The ACME HTTP-01 responder, or {@code null} when no module answers challenges. */
    public io.hecate.core.tls.HttpChallengeResponder challenges() {
        return challenges;
    }

    public void challenges(io.hecate.core.tls.HttpChallengeResponder responder) {
        this.challenges = responder;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Snapshot snapshot() {
        return snapshot.get();
    }

    public void publish(Snapshot next) {
        snapshot.set(next);
    }

    /** The health of every upstream target, kept across reloads. */
    public HealthRegistry health() {
        return health;
    }

    /** The circuit breaker and bulkhead of every upstream, kept across reloads. */
    public AdmissionRegistry admissions() {
        return admissions;
    }

    /** The asynchronous DNS resolver every upstream connection (and health check) goes through. */
    public AddressResolverGroup<InetSocketAddress> resolver() {
        return resolver;
    }

    /** The pool of the given loop; an exchange must only use the pool of its own loop. */
    public ConnectionPool pool(EventLoop loop) {
        return pools.computeIfAbsent(loop,
                l -> new ConnectionPool(l, transport.socketChannel(), resolver, metrics.pools()));
    }

    /** Whether an access log is open; when it is not, exchanges skip building their entry. */
    public boolean logging() {
        return accessLog != null;
    }

    public void log(AccessLogEntry entry) {
        AccessLog log = accessLog;
        if (log != null) {
            log.log(entry);
        }
    }

    /** Installs a new access log and returns the previous one, for the caller to close. */
    public AccessLog swapAccessLog(AccessLog next) {
        AccessLog previous = accessLog;
        accessLog = next;
        return previous;
    }

    public LongAdder accessLogDropped() {
        return accessLogDropped;
    }

    public boolean draining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }

    public ChannelGroup downstreams() {
        return downstreams;
    }

    /** Downstream connections that switched protocols (WebSocket): they never finish by themselves. */
    public ChannelGroup upgraded() {
        return upgraded;
    }

    public void close() {
        resolver.close();
    }

    public static EventLoopGroup newWorkers(Transport transport, int threads) {
        return transport.newGroup(threads, "hecate-worker");
    }
}
