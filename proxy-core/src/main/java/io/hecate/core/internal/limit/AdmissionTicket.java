package io.hecate.core.internal.limit;

import io.hecate.core.internal.upstream.Outcome;

/**
 * One request's admission to an upstream: either refused (with the reason told to the client), or
 * admitted, holding a place in the bulkhead and, with a circuit breaker, one of its permissions.
 * The exchange reports how each try ended and closes the ticket when it ends; the request counts
 * once in the breaker's window, by its last try. Used from the exchange's event loop only.
 */
public final class AdmissionTicket {

    /** An admission of an upstream that limits nothing. */
    static final AdmissionTicket UNCOUNTED = new AdmissionTicket((UpstreamAdmission) null, 0);

    private final UpstreamAdmission admission;
    private final long admittedNanos;
    private final String refusal;
    private final long retryAfterSeconds;
    private Outcome last;
    private long lastEndedNanos;
    private boolean closed;

    AdmissionTicket(UpstreamAdmission admission, long admittedNanos) {
        this.admission = admission;
        this.admittedNanos = admittedNanos;
        this.refusal = null;
        this.retryAfterSeconds = 0;
    }

    private AdmissionTicket(String refusal, long retryAfterSeconds) {
        this.admission = null;
        this.admittedNanos = 0;
        this.refusal = refusal;
        this.retryAfterSeconds = retryAfterSeconds;
        this.closed = true;
    }

    static AdmissionTicket refused(String reason, long retryAfterSeconds) {
        return new AdmissionTicket(reason, retryAfterSeconds);
    }

    public boolean admitted() {
        return refusal == null;
    }

    /** Why the request was refused, for the 503 body; {@code null} when admitted. */
    public String refusal() {
        return refusal;
    }

    /** For the refusal's {@code Retry-After}. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** A try ended this way (called once per try, as {@code Upstream.finished} is). */
    public void tryEnded(Outcome outcome) {
        if (!closed && admission != null) {
            last = outcome;
            lastEndedNanos = System.nanoTime();
        }
    }

    /**
     * The request ended: frees its place and reports it to the breaker. A success when its last
     * try got a response below 500; a failure when it failed (connection, timeout, 5xx); neither
     * when no try was made or the last one was abandoned (the client went away). Idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admission == null) {
            return;
        }
        Boolean success;
        if (last == null || last == Outcome.CANCELLED) {
            success = null;
        } else {
            success = last == Outcome.SUCCESS;
        }
        admission.ended(lastEndedNanos - admittedNanos, success);
    }
}
