package io.hecate.core.internal.admin;

import java.util.concurrent.CompletableFuture;

/** What the admin listener asks of the running proxy. */
public interface AdminApi {

    /** False before the first config is live and while draining. */
    boolean ready();

    String metricsText();

    /** The active configuration and the state of the last reload, as JSON, secrets redacted. */
    String configJson();

    String routesJson();

    /** Every upstream with its policy and each target's health, as JSON. */
    String upstreamsJson();

    /** A module's endpoint at {@code path}, or {@code null} when there is none. */
    default io.hecate.core.AdminEndpoint endpoint(String path) {
        return null;
    }

    /** Reloads from the config source off the caller's thread; completes with the outcome. */
    CompletableFuture<ReloadOutcome> reload();

    /** What a reload did: applied a new version, or rejected the config and why. */
    record ReloadOutcome(boolean applied, long version, String message) {
    }
}
