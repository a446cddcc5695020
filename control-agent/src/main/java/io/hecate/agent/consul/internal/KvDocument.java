package io.hecate.agent.consul.internal;

/**
 * One document as Consul KV stores it.
 *
 * @param key         its full key, e.g. {@code hecate/routes/api}
 * @param text        its value as UTF-8 text, {@code ""} for a key without a value
 * @param modifyIndex the index a check-and-set must name to replace or delete exactly this version
 */
public record KvDocument(String key, String text, long modifyIndex) {
}
