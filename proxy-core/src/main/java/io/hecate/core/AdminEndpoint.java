package io.hecate.core;

/**
 * A module's own read-only endpoint on the admin API ({@code GET /certs} from proxy-tls, say),
 * registered with {@link Hecate.Builder#adminEndpoint}. Called on the admin event loop for every
 * request: it must answer from memory, never block.
 */
@FunctionalInterface
public interface AdminEndpoint {

    /** The response body, a JSON document. */
    String json();
}
