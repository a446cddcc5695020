package io.hecate.core.internal.upstream.balance;

import io.hecate.core.internal.upstream.Target;

import java.util.List;

/** Whether a target may take the next try: available and not tried yet by this request. */
final class Candidates {

    private Candidates() {
    }

    static boolean eligible(Target target, List<Target> tried, long nowNanos) {
        return target.health().available(nowNanos) && !tried(target, tried);
    }

    static boolean tried(Target target, List<Target> tried) {
        for (int i = 0, n = tried.size(); i < n; i++) {
            if (tried.get(i).equals(target)) {
                return true;
            }
        }
        return false;
    }
}
