package io.hecate.core.internal.upstream.balance;

/**
 * A 64-bit string hash for consistent hashing: FNV-1a over the UTF-16 code units, then the
 * MurmurHash3 finaliser so every input bit affects every output bit. Stable across JVMs and runs
 * (unlike {@link String#hashCode()} mixing, it spreads short similar keys such as user ids well).
 */
final class Hashing {

    static final long KEY_SEED = 0x9E3779B97F4A7C15L;
    static final long OFFSET_SEED = 0xC2B2AE3D27D4EB4FL;
    static final long SKIP_SEED = 0x165667B19E3779F9L;

    private static final long FNV_PRIME = 0x100000001B3L;

    private Hashing() {
    }

    static long hash(CharSequence text, long seed) {
        long h = 0xCBF29CE484222325L ^ seed;
        for (int i = 0, n = text.length(); i < n; i++) {
            h ^= text.charAt(i);
            h *= FNV_PRIME;
        }
        return mix(h);
    }

    /** MurmurHash3's fmix64. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
