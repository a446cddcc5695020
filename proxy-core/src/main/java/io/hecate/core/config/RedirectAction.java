package io.hecate.core.config;

/**
 * Answer with a redirect. The location may use {@code {host}}, {@code {path}}, {@code {query}}
 * and {@code {uri}} (path and query), e.g. {@code https://{host}{uri}}.
 */
public record RedirectAction(int status, String location) implements RouteAction {

    public static final int DEFAULT_STATUS = 302;
}
