package io.hecate.core;

/**
 * Metrics a module keeps itself (an auth filter's decisions, say), served on the admin API's
 * {@code /metrics} after Hecate's own. Called on the admin event loop for every scrape: it must
 * only read counters, never block.
 */
@FunctionalInterface
public interface MetricsSource {

    /** Appends series in the Prometheus text format (0.0.4), each with its HELP and TYPE lines. */
    void renderTo(StringBuilder out);
}
