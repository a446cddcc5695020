package io.hecate.auth.internal;

import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The auth services one filter factory talks to, shared by all its filters and kept across
 * reloads: a route whose configuration did not change keeps its connections, circuit breaker and
 * in-flight checks. Host names are resolved by Netty's asynchronous DNS resolver, one per event loop.
 */
public final class AuthClient {

    private final AuthStats stats;
    private final Map<AuthService.Key, AuthService> services = new ConcurrentHashMap<>();
    private final Object resolverLock = new Object();
    private volatile AddressResolverGroup<InetSocketAddress> nioResolver;
    private volatile AddressResolverGroup<InetSocketAddress> epollResolver;

    public AuthClient(AuthStats stats) {
        this.stats = stats;
    }

    public AuthService service(ForwardAuthPolicy policy) {
        AuthService.Key key = new AuthService.Key(policy.service(), policy.breaker(), policy.maxConnections());
        return services.computeIfAbsent(key, k -> new AuthService(k, this, stats.service(k.address().origin())));
    }

    AddressResolverGroup<InetSocketAddress> resolver(boolean epoll) {
        AddressResolverGroup<InetSocketAddress> group = epoll ? epollResolver : nioResolver;
        if (group != null) {
            return group;
        }
        synchronized (resolverLock) { // once per transport, when the first connection is made
            group = epoll ? epollResolver : nioResolver;
            if (group == null) {
                group = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                        .datagramChannelType(LoopTransport.datagramChannel(epoll)));
                if (epoll) {
                    epollResolver = group;
                } else {
                    nioResolver = group;
                }
            }
            return group;
        }
    }
}
