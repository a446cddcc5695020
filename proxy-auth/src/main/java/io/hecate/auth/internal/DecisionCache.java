package io.hecate.auth.internal;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Positive decisions of one filter on one event loop, least recently used dropped first. Keys are
 * SHA-256 digests (never the session cookie itself); entries expire after the filter's TTL.
 */
final class DecisionCache {

    record Entry(long expiresNanos, HttpHeaders copied) {
    }

    private final LinkedHashMap<String, Entry> entries;

    DecisionCache(int maxEntries) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    HttpHeaders get(String key, long now) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (now - entry.expiresNanos >= 0) {
            entries.remove(key);
            return null;
        }
        return entry.copied;
    }

    void put(String key, HttpHeaders copied, long expiresNanos) {
        entries.put(key, new Entry(expiresNanos, copied));
    }

    int size() {
        return entries.size();
    }
}
