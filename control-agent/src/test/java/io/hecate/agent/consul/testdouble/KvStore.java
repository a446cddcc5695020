package io.hecate.agent.consul.testdouble;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The KV store with Consul's index bookkeeping, following the state store semantics behind
 * https://developer.hashicorp.com/consul/api-docs/kv ("Read Key", "Create/Update Key", "Delete Key") and
 * the lock semantics of https://developer.hashicorp.com/consul/docs/automate/session.
 *
 * <ul>
 *   <li>A deleted key leaves a tombstone carrying the index of its deletion, so the index of a prefix
 *       query never slides backwards when a key under it goes away (Consul's "graveyard").</li>
 *   <li>The index of a single-key read is the entry's ModifyIndex; of a missing key, the KV table's index.
 *       The index of a prefix read is the highest ModifyIndex or tombstone index under the prefix, and the
 *       table's index when nothing is or ever was there (so, as in Consul, a prefix that never held a key
 *       is woken by any KV write).</li>
 *   <li>Lock delay: when a session is invalidated, the keys it held cannot be acquired again until the
 *       session's LockDelay has passed.</li>
 * </ul>
 *
 * <p>Simplifications: tombstones are never reaped (Consul reaps them after {@code tombstone_ttl}, 15
 * minutes by default, longer than any test), and there are no value-size limits. Every method runs under
 * {@link RaftState}'s lock; write methods take the Raft index of their log entry.
 */
final class KvStore {

    /** A copy of the store, for rolling back a failed transaction. */
    record Snapshot(TreeMap<String, KvEntry> entries, TreeMap<String, Long> tombstones, long tableIndex) {
    }

    private TreeMap<String, KvEntry> entries = new TreeMap<>();
    private TreeMap<String, Long> tombstones = new TreeMap<>();
    private final Map<String, Long> lockDelayUntilNanos = new HashMap<>();
    private final Predicate<String> liveSession;
    private long tableIndex;

    KvStore(Predicate<String> liveSession) {
        this.liveSession = liveSession;
    }

    // ---------------------------------------------------------------- reads

    KvEntry get(String key) {
        return entries.get(key);
    }

    List<KvEntry> list(String prefix) {
        return new ArrayList<>(under(entries, prefix).values());
    }

    /** Index of a single-key read (Consul's KVS.Get). */
    long keyIndex(String key) {
        KvEntry entry = entries.get(key);
        return entry != null ? entry.modifyIndex() : Math.max(1, tableIndex);
    }

    /** Index of a prefix read (Consul's KVS.List / KVS.ListKeys). */
    long prefixIndex(String prefix) {
        long lindex = 0;
        for (KvEntry e : under(entries, prefix).values()) {
            lindex = Math.max(lindex, e.modifyIndex());
        }
        if (prefix.isEmpty()) {
            lindex = tableIndex;
        } else {
            for (long deleted : under(tombstones, prefix).values()) {
                lindex = Math.max(lindex, deleted);
            }
        }
        return Math.max(1, lindex != 0 ? lindex : tableIndex);
    }

    /** Keys under {@code prefix}, cut after the first {@code separator} past the prefix and de-duplicated. */
    List<String> keys(String prefix, String separator) {
        List<String> keys = new ArrayList<>();
        String last = null;
        for (String key : under(entries, prefix).keySet()) {
            if (separator == null || separator.isEmpty()) {
                keys.add(key);
                continue;
            }
            int at = key.indexOf(separator, prefix.length());
            String listed = at < 0 ? key : key.substring(0, at + separator.length());
            if (!listed.equals(last)) {
                keys.add(listed);
                last = listed;
            }
        }
        return keys;
    }

    /** True while {@code key} is under the lock delay of a session invalidated while holding it. */
    boolean lockDelayed(String key) {
        Long until = lockDelayUntilNanos.get(key);
        if (until == null) {
            return false;
        }
        if (System.nanoTime() - until >= 0) {
            lockDelayUntilNanos.remove(key);
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- writes

    /**
     * A plain set (Consul's {@code kvsSetTxn} without a session update): keeps the CreateIndex and the
     * holding session of an existing entry, takes flags, value and lock index from {@code in}; a write
     * that changes nothing keeps the old ModifyIndex. Returns the stored entry.
     */
    KvEntry set(String key, byte[] value, long flags, long idx) {
        KvEntry existing = entries.get(key);
        KvEntry in = new KvEntry(key, value, flags, 0, existing == null ? "" : existing.session(), 0, 0);
        return store(in, existing, idx);
    }

    /** Check-and-set: 0 means "only if absent", otherwise the stored ModifyIndex must equal {@code cas}. */
    KvEntry cas(String key, byte[] value, long flags, long cas, long idx) {
        KvEntry existing = entries.get(key);
        if (cas == 0 ? existing != null : existing == null || existing.modifyIndex() != cas) {
            return null;
        }
        return set(key, value, flags, idx);
    }

    /**
     * Lock acquisition ({@code ?acquire=}): succeeds if the key is unlocked (LockIndex + 1) or already held
     * by this session (LockIndex unchanged), writing the value and flags too. An unknown session is an
     * error ({@code invalid session "…"}), as in Consul. The lock-delay check is the caller's: Consul makes
     * it before the write reaches Raft ({@link #lockDelayed}).
     */
    KvEntry lock(String key, byte[] value, long flags, String session, long idx) {
        requireSession(session);
        if (!liveSession.test(session)) {
            throw ApiError.rpc("invalid session \"" + session + "\"");
        }
        KvEntry existing = entries.get(key);
        long lockIndex;
        if (existing == null) {
            lockIndex = 1;
        } else if (existing.session().equals(session)) {
            lockIndex = existing.lockIndex();
        } else if (existing.locked()) {
            return null;
        } else {
            lockIndex = existing.lockIndex() + 1;
        }
        return store(new KvEntry(key, value, flags, lockIndex, session, 0, 0), existing, idx);
    }

    /** Lock release ({@code ?release=}): only by the holding session; writes value and flags, keeps LockIndex. */
    KvEntry unlock(String key, byte[] value, long flags, String session, long idx) {
        requireSession(session);
        KvEntry existing = entries.get(key);
        if (existing == null || !existing.session().equals(session)) {
            return null;
        }
        return store(new KvEntry(key, value, flags, existing.lockIndex(), "", 0, 0), existing, idx);
    }

    /** Deletes one key, leaving a tombstone; returns whether it existed. */
    boolean delete(String key, long idx) {
        if (entries.remove(key) == null) {
            return false;
        }
        tombstones.put(key, idx);
        tableIndex = Math.max(tableIndex, idx);
        return true;
    }

    /** Delete-if-index ({@code ?cas=} on DELETE): true when deleted, or when the key was already absent. */
    boolean deleteCas(String key, long cas, long idx) {
        KvEntry existing = entries.get(key);
        if (existing == null || existing.modifyIndex() != cas) {
            return existing == null;
        }
        return delete(key, idx);
    }

    /** Deletes every key under {@code prefix} ({@code ?recurse} on DELETE). */
    void deleteTree(String prefix, long idx) {
        for (String key : new ArrayList<>(under(entries, prefix).keySet())) {
            delete(key, idx);
        }
    }

    /**
     * A session was invalidated: the keys it holds are released (Session cleared, ModifyIndex bumped) or,
     * with Behavior "delete", deleted; either way they come under the session's lock delay.
     */
    void invalidateSession(String session, boolean deleteKeys, long lockDelayNanos, long idx) {
        for (KvEntry held : new ArrayList<>(entries.values())) {
            if (!held.session().equals(session)) {
                continue;
            }
            if (deleteKeys) {
                delete(held.key(), idx);
            } else {
                entries.put(held.key(), held.withSession("", held.lockIndex()).withIndexes(held.createIndex(), idx));
                tableIndex = Math.max(tableIndex, idx);
            }
            if (lockDelayNanos > 0) {
                lockDelayUntilNanos.put(held.key(), System.nanoTime() + lockDelayNanos);
            }
        }
    }

    // ---------------------------------------------------------------- transactions, restarts

    Snapshot snapshot() {
        return new Snapshot(new TreeMap<>(entries), new TreeMap<>(tombstones), tableIndex);
    }

    void restore(Snapshot snapshot) {
        entries = new TreeMap<>(snapshot.entries());
        tombstones = new TreeMap<>(snapshot.tombstones());
        tableIndex = snapshot.tableIndex();
    }

    /**
     * The data re-created in a fresh cluster: each entry written anew at the next small index (CreateIndex
     * = ModifyIndex), in key order; a fresh cluster has no tombstones, and lock delays (leader memory) go.
     */
    void reseed(LongSupplier next) {
        tableIndex = 0;
        entries.replaceAll((k, e) -> {
            long idx = next.getAsLong();
            tableIndex = idx;
            return e.withIndexes(idx, idx);
        });
        tombstones.clear();
        lockDelayUntilNanos.clear();
    }

    // ---------------------------------------------------------------- internals

    private KvEntry store(KvEntry in, KvEntry existing, long idx) {
        if (existing != null && existing.sameContent(in)) {
            return existing;
        }
        KvEntry stored = in.withIndexes(existing != null ? existing.createIndex() : idx, idx);
        entries.put(stored.key(), stored);
        tableIndex = Math.max(tableIndex, idx);
        return stored;
    }

    private static void requireSession(String session) {
        if (session == null || session.isEmpty()) {
            throw ApiError.rpc("missing session");
        }
    }

    private static <V> NavigableMap<String, V> under(NavigableMap<String, V> map, String prefix) {
        if (prefix.isEmpty()) {
            return map;
        }
        String end = nextPrefix(prefix);
        return end == null ? map.tailMap(prefix, true) : map.subMap(prefix, true, end, false);
    }

    /** The smallest string greater than every string starting with {@code prefix}, or null if none. */
    private static String nextPrefix(String prefix) {
        char[] chars = prefix.toCharArray();
        for (int i = chars.length - 1; i >= 0; i--) {
            if (chars[i] != Character.MAX_VALUE) {
                chars[i]++;
                return new String(chars, 0, i + 1);
            }
        }
        return null;
    }
}
