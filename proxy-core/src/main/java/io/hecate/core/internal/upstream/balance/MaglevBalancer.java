package io.hecate.core.internal.upstream.balance;

import io.hecate.core.config.BalanceConfig;
import io.hecate.core.internal.upstream.PickContext;
import io.hecate.core.internal.upstream.Target;
import io.hecate.core.internal.upstream.TargetHealth;
import io.hecate.core.internal.upstream.UpstreamHealth;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Consistent hashing with Google's Maglev lookup table (Eisenbud et al., NSDI 2016). Each target
 * has a permutation of the table's slots derived from its address alone; the targets take turns
 * claiming their next free preferred slot until the table is full, a target of weight {@code w}
 * taking a turn {@code w / maxWeight} as often as the heaviest. A request's key hashes to a slot,
 * and the slot names its target.
 *
 * <p>Because a target's preferences depend only on its own address, adding or removing one moves
 * little more than the keys that must move (about {@code 1/n} of them). The table is built over
 * the targets available at the time and is immutable; it is rebuilt (by the one event loop that
 * notices first, the others keep using the old one meanwhile) when the upstream's health
 * generation moves or an ejection it left out runs out, and published through an atomic reference.
 *
 * <p>When the slot's target is down or already tried by this request, the following slots are
 * tried in order, so the fallback is the same for every request with that key; after
 * {@value #MAX_WALK} slots the targets are scanned in order from one chosen by the key.
 */
final class MaglevBalancer implements Balancer {

    /** A prime, so every skip value generates a full permutation; 65537 is Maglev's usual size. */
    static final int TABLE_SIZE = 65537;
    private static final int MAX_WALK = 256;

    private final Target[] targets;
    private final BalanceConfig.HashOn hashOn;
    private final UpstreamHealth health;
    private final long[] offsets;
    private final long[] skips;
    private final WeightedSampler keyless;
    private final AtomicReference<Table> table = new AtomicReference<>();
    private final AtomicBoolean building = new AtomicBoolean();

    /** An immutable lookup table and what it was built from. */
    private record Table(int[] slots, long generation, long expiresAtNanos, boolean expires) {
    }

    MaglevBalancer(Target[] targets, BalanceConfig.HashOn hashOn, UpstreamHealth health) {
        this.targets = targets;
        this.hashOn = hashOn;
        this.health = health;
        this.offsets = new long[targets.length];
        this.skips = new long[targets.length];
        for (int i = 0; i < targets.length; i++) {
            offsets[i] = Long.remainderUnsigned(Hashing.hash(targets[i].key(), Hashing.OFFSET_SEED), TABLE_SIZE);
            skips[i] = Long.remainderUnsigned(Hashing.hash(targets[i].key(), Hashing.SKIP_SEED), TABLE_SIZE - 1) + 1;
        }
        this.keyless = new WeightedSampler(targets);
        table.set(build(health.now()));
    }

    @Override
    public Target pick(PickContext request, List<Target> tried, long nowNanos) {
        String key = key(request);
        if (key == null) {
            return keyless.draw(tried, nowNanos, null);
        }
        return pick(key, tried, nowNanos);
    }

    /** The target for {@code key}: the same key gets the same target while the available set stays. */
    Target pick(String key, List<Target> tried, long nowNanos) {
        if (targets.length == 0) {
            return null;
        }
        long hash = Hashing.hash(key, Hashing.KEY_SEED);
        int[] slots = current(nowNanos).slots;
        int slot = (int) Long.remainderUnsigned(hash, TABLE_SIZE);
        if (slots[slot] >= 0) {
            for (int step = 0; step < MAX_WALK; step++) {
                Target candidate = targets[slots[(slot + step) % TABLE_SIZE]];
                if (Candidates.eligible(candidate, tried, nowNanos)) {
                    return candidate;
                }
            }
        }
        int first = (int) Long.remainderUnsigned(hash, targets.length);
        for (int step = 0; step < targets.length; step++) {
            Target candidate = targets[(first + step) % targets.length];
            if (Candidates.eligible(candidate, tried, nowNanos)) {
                return candidate;
            }
        }
        return null;
    }

    private String key(PickContext request) {
        if (hashOn == null) {
            return null;
        }
        if (hashOn.header() != null) {
            return request.header(hashOn.header());
        }
        if (hashOn.cookie() != null) {
            return request.cookie(hashOn.cookie());
        }
        return hashOn.clientAddress() ? request.clientAddress() : null;
    }

    private Table current(long nowNanos) {
        Table current = table.get();
        boolean stale = current.generation != health.generation()
                || (current.expires && nowNanos - current.expiresAtNanos >= 0);
        if (stale && building.compareAndSet(false, true)) {
            try {
                current = build(nowNanos);
                table.set(current);
            } finally {
                building.set(false);
            }
        }
        return current;
    }

    /** A table over the targets available at {@code nowNanos}. */
    private Table build(long nowNanos) {
        // Read first: a change during the build leaves the table stale, so it is built again.
        long generation = health.generation();
        boolean[] included = new boolean[targets.length];
        boolean expires = false;
        long expiresAt = 0;
        int maxWeight = 0;
        int count = 0;
        for (int i = 0; i < targets.length; i++) {
            TargetHealth state = targets[i].health();
            if (state.available(nowNanos)) {
                included[i] = true;
                maxWeight = Math.max(maxWeight, targets[i].weight());
                count++;
            } else if (state.checkHealthy() && state.ejectedAt(nowNanos)) {
                long expiry = state.ejectionExpiryNanos();
                if (expiry != Long.MIN_VALUE && (!expires || expiry - expiresAt < 0)) {
                    expires = true;
                    expiresAt = expiry;
                }
            }
        }
        return new Table(populate(included, count, maxWeight), generation, expiresAt, expires);
    }

    /** Maglev's population, weighted; slots of an empty set stay -1. */
    int[] populate(boolean[] included, int count, int maxWeight) {
        int[] slots = new int[TABLE_SIZE];
        Arrays.fill(slots, -1);
        if (count == 0) {
            return slots;
        }
        long[] next = new long[targets.length];
        long[] turnsEarned = new long[targets.length];
        Arrays.fill(turnsEarned, maxWeight);
        int filled = 0;
        for (long round = 1; filled < TABLE_SIZE; round++) {
            for (int i = 0; i < targets.length && filled < TABLE_SIZE; i++) {
                // A target of weight w claims a slot in round r once r * w reaches its next turn.
                if (!included[i] || round * targets[i].weight() < turnsEarned[i]) {
                    continue;
                }
                turnsEarned[i] += maxWeight;
                int slot = slot(i, next[i]);
                while (slots[slot] >= 0) {
                    next[i]++;
                    slot = slot(i, next[i]);
                }
                slots[slot] = i;
                next[i]++;
                filled++;
            }
        }
        return slots;
    }

    private int slot(int target, long preference) {
        return (int) ((offsets[target] + skips[target] * preference) % TABLE_SIZE);
    }

    /** Share of the table each target holds (tests and diagnostics). */
    int[] slotCounts() {
        int[] counts = new int[targets.length];
        for (int slot : table.get().slots) {
            if (slot >= 0) {
                counts[slot]++;
            }
        }
        return counts;
    }

    @Override
    public BalanceConfig.Policy policy() {
        return BalanceConfig.Policy.CONSISTENT_HASH;
    }
}
