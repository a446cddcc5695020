package io.hecate.core.internal.upstream.balance;

import java.math.BigInteger;

/**
 * Smooth weighted round-robin (the nginx algorithm), precomputed into one cycle of picks so that
 * picking is a lock-free counter increment shared by every event loop.
 */
final class WeightedSchedule {

    /** Longer cycles are scaled down; the proportions stay within one pick per cycle. */
    private static final int MAX_CYCLE = 4096;

    private WeightedSchedule() {
    }

    static int[] of(int[] weights) {
        int[] reduced = reduce(weights);
        int total = 0;
        for (int w : reduced) {
            total += w;
        }
        int[] cycle = new int[total];
        int[] current = new int[reduced.length];
        for (int pick = 0; pick < total; pick++) {
            int best = 0;
            for (int i = 0; i < reduced.length; i++) {
                current[i] += reduced[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle[pick] = best;
        }
        return cycle;
    }

    private static int[] reduce(int[] weights) {
        int gcd = 0;
        long total = 0;
        for (int w : weights) {
            gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(w)).intValue();
            total += w;
        }
        double scale = total / gcd > MAX_CYCLE ? (double) MAX_CYCLE / (total / gcd) : 1.0;
        int[] reduced = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            reduced[i] = Math.max(1, (int) Math.round(weights[i] / gcd * scale));
        }
        return reduced;
    }
}
