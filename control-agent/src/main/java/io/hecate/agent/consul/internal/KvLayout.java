package io.hecate.agent.consul.internal;

/**
 * Where Hecate's documents live under the KV prefix (default {@code hecate/}):
 * {@code routes/<id>}, {@code upstreams/<name>}, {@code audit/<time>-<id>},
 * {@code certs/<storage key>} and {@code locks/certs/<name>}.
 */
public record KvLayout(String prefix) {

    public String routes() {
        return prefix + "routes/";
    }

    public String upstreams() {
        return prefix + "upstreams/";
    }

    public String audit() {
        return prefix + "audit/";
    }

    public String certificates() {
        return prefix + "certs/";
    }

    public String certificateLocks() {
        return prefix + "locks/certs/";
    }

    public String route(String id) {
        return routes() + id;
    }

    public String upstream(String name) {
        return upstreams() + name;
    }

    /** The id or name a document key ends in, or {@code null} when the key is a folder or nested deeper. */
    public static String leaf(String folder, String key) {
        if (!key.startsWith(folder)) {
            return null;
        }
        String leaf = key.substring(folder.length());
        return leaf.isEmpty() || leaf.contains("/") ? null : leaf;
    }
}
