package io.hecate.core.config;

/** What a route does with a request it matched. */
public sealed interface RouteAction permits ProxyAction, RespondAction, RedirectAction {
}
