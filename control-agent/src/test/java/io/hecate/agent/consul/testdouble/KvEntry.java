package io.hecate.agent.consul.testdouble;

import java.util.Arrays;

/**
 * One KV entry as Consul's state store keeps it (the {@code DirEntry} of
 * https://developer.hashicorp.com/consul/api-docs/kv#read-key): value bytes (null when empty), flags, the
 * lock index and holding session, and the Raft indexes at which it was created and last modified.
 */
record KvEntry(String key, byte[] value, long flags, long lockIndex, String session, long createIndex, long modifyIndex) {

    KvEntry {
        value = value == null || value.length == 0 ? null : value.clone();
        session = session == null ? "" : session;
    }

    /** Consul's {@code DirEntry.Equal}: a write whose result equals the stored entry changes nothing. */
    boolean sameContent(KvEntry other) {
        return other != null && key.equals(other.key) && flags == other.flags && lockIndex == other.lockIndex
                && session.equals(other.session) && Arrays.equals(value, other.value);
    }

    boolean locked() {
        return !session.isEmpty();
    }

    KvEntry withIndexes(long create, long modify) {
        return new KvEntry(key, value, flags, lockIndex, session, create, modify);
    }

    KvEntry withSession(String newSession, long newLockIndex) {
        return new KvEntry(key, value, flags, newLockIndex, newSession, createIndex, modifyIndex);
    }
}
