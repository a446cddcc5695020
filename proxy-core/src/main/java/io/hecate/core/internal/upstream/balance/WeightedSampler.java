package io.hecate.core.internal.upstream.balance;

import io.hecate.core.internal.upstream.Target;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Draws targets at random in proportion to their weights: a binary search over the cumulative
 * weights, so the draw costs O(log n). A draw that lands on a target that is down or tried is
 * repeated a few times; after that the remaining candidates are drawn from directly (O(n)).
 */
final class WeightedSampler {

    private static final int REDRAWS = 4;

    private final Target[] targets;
    private final int[] cumulative;
    private final int total;

    WeightedSampler(Target[] targets) {
        this.targets = targets;
        this.cumulative = new int[targets.length];
        int sum = 0;
        for (int i = 0; i < targets.length; i++) {
            sum += targets[i].weight();
            cumulative[i] = sum;
        }
        this.total = sum;
    }

    /** A target drawn by weight among the eligible ones other than {@code except}, or {@code null}. */
    Target draw(List<Target> tried, long nowNanos, Target except) {
        if (total == 0) {
            return null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < REDRAWS; attempt++) {
            Target candidate = targets[index(random.nextInt(total))];
            if (candidate != except && Candidates.eligible(candidate, tried, nowNanos)) {
                return candidate;
            }
        }
        int eligibleWeight = 0;
        for (Target target : targets) {
            if (target != except && Candidates.eligible(target, tried, nowNanos)) {
                eligibleWeight += target.weight();
            }
        }
        if (eligibleWeight == 0) {
            return null;
        }
        int ticket = random.nextInt(eligibleWeight);
        Target last = null;
        for (Target target : targets) {
            if (target != except && Candidates.eligible(target, tried, nowNanos)) {
                last = target;
                ticket -= target.weight();
                if (ticket < 0) {
                    return target;
                }
            }
        }
        // Only if health changed between the two passes.
        return last;
    }

    /** The target whose cumulative-weight interval holds {@code ticket} (0 <= ticket < total). */
    private int index(int ticket) {
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (cumulative[mid] > ticket) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }
}
