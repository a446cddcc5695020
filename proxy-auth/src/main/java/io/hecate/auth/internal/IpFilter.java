package io.hecate.auth.internal;

import io.hecate.core.filter.FilterChain;
import io.hecate.core.filter.FilterExchange;
import io.hecate.core.filter.RouteFilter;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;

/**
 * Allows or refuses a request by the client's address ({@link FilterExchange#clientAddress()}: the
 * peer, or the X-Forwarded-For hop named by a trusted proxy). A {@code deny} entry always wins;
 * with an {@code allow} list, only addresses in it pass. An address that is not an IP is refused.
 */
public final class IpFilter implements RouteFilter {

    private final List<Cidr> allow;
    private final List<Cidr> deny;
    private final AuthStats stats;

    public IpFilter(List<Cidr> allow, List<Cidr> deny, AuthStats stats) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
        this.stats = stats;
    }

    @Override
    public void onRequest(FilterExchange exchange, FilterChain chain) {
        long start = System.nanoTime();
        AuthStats.RouteStats routeStats = stats.route(exchange.routeId(), "ip");
        if (allowed(exchange.clientAddress())) {
            routeStats.decided(AuthStats.Outcome.ALLOWED, start);
            chain.proceed();
        } else {
            routeStats.decided(AuthStats.Outcome.DENIED, start);
            chain.respond(HttpResponseStatus.FORBIDDEN, null,
                    "403 Forbidden: client address " + exchange.clientAddress() + " is not allowed\n");
        }
    }

    boolean allowed(String clientAddress) {
        byte[] address = Cidr.address(clientAddress);
        if (address == null) {
            return false;
        }
        for (Cidr cidr : deny) {
            if (cidr.contains(address)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Cidr cidr : allow) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
