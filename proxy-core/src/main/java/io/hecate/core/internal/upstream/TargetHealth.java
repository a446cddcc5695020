package io.hecate.core.internal.upstream;

import io.hecate.core.config.HealthCheckConfig;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The health of one target of one upstream: requests in flight, passive failure counting and
 * ejection, and the verdict of active checks. It lives in the {@link HealthRegistry}, keyed by
 * upstream name and target address, so it outlives the snapshot that created it: a reload that
 * keeps the target keeps its state.
 *
 * <p>Every event loop reads and writes it without locks. Counters are atomics; the ejection
 * fields are written only by the one thread that holds its upstream's ejection guard
 * ({@link UpstreamHealth#tryEject}) or, to end an ejection that waits for a passing check, by the
 * health-check loop; the active-check fields only by the health-check loop.
 */
public final class TargetHealth {

    /** Keeps {@code base × multiplier} far from overflowing. */
    private static final int MAX_MULTIPLIER = 1 << 16;

    private final UpstreamHealth upstream;
    private final String address;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong ejections = new AtomicLong();

    private volatile boolean ejected;
    private volatile long ejectedUntilNanos;
    private volatile long ejectedUntilMillis;
    private volatile boolean awaitingCheck;
    private volatile int ejectionMultiplier;

    private volatile boolean checkHealthy;
    private volatile int checkPasses;
    private volatile int checkFailures;
    private volatile String lastCheckResult;
    private volatile String lastCheckError;
    private volatile long lastCheckMillis;

    TargetHealth(UpstreamHealth upstream, String address, boolean startHealthy) {
        this.upstream = upstream;
        this.address = address;
        this.checkHealthy = startHealthy;
    }

    /** A state of its own, belonging to no registry (for an {@link Upstream} built alone, as in tests). */
    public static TargetHealth standalone(String address) {
        return new UpstreamHealth("", System::nanoTime).target(address, null);
    }

    public UpstreamHealth upstream() {
        return upstream;
    }

    public String address() {
        return address;
    }

    // ---- what picking looks at -------------------------------------------------------------------

    /** Whether the target takes requests: not failing active checks and not ejected. */
    public boolean available(long nowNanos) {
        return checkHealthy && !ejectedAt(nowNanos);
    }

    /**
     * Ejected by outlier detection at {@code nowNanos}: the backoff runs or, when the upstream has
     * active checks, it is over but no check has passed since.
     */
    public boolean ejectedAt(long nowNanos) {
        return ejected && (nowNanos - ejectedUntilNanos < 0 || (awaitingCheck && upstream.activeChecks()));
    }

    /** Tries in flight against the target, over every event loop. */
    public int active() {
        return active.get();
    }

    void started() {
        active.incrementAndGet();
    }

    void ended() {
        active.decrementAndGet();
    }

    // ---- passive health --------------------------------------------------------------------------

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    /** @return the failures in a row, this one included */
    int failed() {
        return consecutiveFailures.incrementAndGet();
    }

    void succeeded() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /** How many times the target was ejected since it joined the configuration. */
    public long ejections() {
        return ejections.get();
    }

    /** Wall-clock end of the current ejection's backoff, or 0 when not ejected. */
    public long ejectedUntilMillis(long nowNanos) {
        return ejectedAt(nowNanos) ? ejectedUntilMillis : 0;
    }

    /** Whether an ejection (its backoff over or not) still waits for a passing active check. */
    public boolean awaitingCheck() {
        return ejected && awaitingCheck && upstream.activeChecks();
    }

    /**
     * When an ejection that needs no check ends by itself, or {@code Long.MIN_VALUE} when none
     * does; only meaningful while {@link #ejectedAt} holds.
     */
    public long ejectionExpiryNanos() {
        return awaitingCheck() ? Long.MIN_VALUE : ejectedUntilNanos;
    }

    /**
     * Ejects the target; the caller holds the upstream's ejection guard. The backoff is
     * {@code base × multiplier}, capped; the multiplier grows by one per ejection and shrinks by one
     * per {@code base} the target spent up since its last ejection ended. While the upstream has
     * active checks, the target returns only after one passed once the backoff is over.
     */
    void eject(long nowNanos, long baseNanos, long maxNanos) {
        int multiplier = ejectionMultiplier;
        if (ejections.get() > 0 && baseNanos > 0) {
            long upFor = nowNanos - ejectedUntilNanos;
            if (upFor > 0) {
                multiplier = (int) Math.max(0, multiplier - upFor / baseNanos);
            }
        }
        multiplier = Math.min(MAX_MULTIPLIER, multiplier + 1);
        long backoff = baseNanos > maxNanos / multiplier ? maxNanos : Math.min(maxNanos, baseNanos * multiplier);
        ejectionMultiplier = multiplier;
        ejectedUntilNanos = nowNanos + backoff;
        ejectedUntilMillis = System.currentTimeMillis() + backoff / 1_000_000;
        awaitingCheck = true;
        consecutiveFailures.set(0);
        ejections.incrementAndGet();
        ejected = true;
    }

    // ---- active health ---------------------------------------------------------------------------

    /** The verdict of active checks (always {@code true} without them). */
    public boolean checkHealthy() {
        return checkHealthy;
    }

    public String lastCheckResult() {
        return lastCheckResult;
    }

    public String lastCheckError() {
        return lastCheckError;
    }

    /** Wall-clock time of the last check, or 0 when there was none. */
    public long lastCheckMillis() {
        return lastCheckMillis;
    }

    /**
     * Records one active check (on the health-check loop only): the thresholds move the verdict,
     * and a pass ends an ejection whose backoff is over.
     *
     * @param result what came back ({@code "200"}), or {@code null} when nothing did
     * @param error  why the check failed, or {@code null} when it passed
     * @return whether the target's availability changed
     */
    public boolean recordCheck(boolean passed, String result, String error, HealthCheckConfig config, long nowNanos) {
        lastCheckResult = result;
        lastCheckError = error;
        lastCheckMillis = System.currentTimeMillis();
        boolean changed = false;
        if (passed) {
            checkFailures = 0;
            int passes = checkPasses + 1;
            checkPasses = passes;
            if (!checkHealthy && passes >= config.healthyThreshold()) {
                checkHealthy = true;
                changed = true;
            }
            if (ejected && awaitingCheck && nowNanos - ejectedUntilNanos >= 0) {
                awaitingCheck = false;
                changed = true;
            }
        } else {
            checkPasses = 0;
            int failures = checkFailures + 1;
            checkFailures = failures;
            if (checkHealthy && failures >= config.unhealthyThreshold()) {
                checkHealthy = false;
                changed = true;
            }
        }
        if (changed) {
            upstream.changed();
        }
        return changed;
    }

    /** Active checks were turned off for the upstream: their verdict no longer holds the target back. */
    void forgetChecks() {
        boolean changed = !checkHealthy;
        checkHealthy = true;
        checkPasses = 0;
        checkFailures = 0;
        lastCheckResult = null;
        lastCheckError = null;
        lastCheckMillis = 0;
        if (changed) {
            upstream.changed();
        }
    }

    @Override
    public String toString() {
        return upstream.name() + "/" + address;
    }
}
