package io.hecate.core.filter;

/**
 * One step of a route's filter chain, run on the downstream channel's event loop after the route
 * matched and before its action. A filter must never block: it either calls one of the chain's
 * methods at once, or starts non-blocking work and calls one later from the same event loop.
 * The request body is not read until the chain has proceeded past every filter.
 */
@FunctionalInterface
public interface RouteFilter {

    void onRequest(FilterExchange exchange, FilterChain chain);
}
