package io.hecate.core.internal.route;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps retries that may have reached the upstream to a fraction of a route's requests: every
 * request deposits that fraction of a token, every such retry takes a whole one. The balance starts
 * empty, so when everything fails at once the upstream sees at most requests x (1 + fraction); it
 * is capped, so a long calm period cannot save up for a storm. Lock-free, shared by every event loop.
 */
public final class RetryBudget {

    private static final long TOKEN = 1000;
    private static final long MAX_SAVED = 100 * TOKEN;

    private final long deposit;
    private final AtomicLong balance = new AtomicLong();

    RetryBudget(double fraction) {
        this.deposit = Math.round(fraction * TOKEN);
    }

    public void onRequest() {
        if (deposit > 0) {
            balance.accumulateAndGet(deposit, (current, add) -> Math.min(MAX_SAVED, current + add));
        }
    }

    public boolean tryWithdraw() {
        long current;
        do {
            current = balance.get();
            if (current < TOKEN) {
                return false;
            }
        } while (!balance.compareAndSet(current, current - TOKEN));
        return true;
    }
}
