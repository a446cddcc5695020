package io.hecate.core.internal.upstream;

/** How one try against a target ended, as passive health checking and least-request see it. */
public enum Outcome {
    /** A response arrived with a status below 500. */
    SUCCESS,
    /** The TCP connection could not be made (refused, unreachable, connect timeout). */
    CONNECT_FAILURE,
    /** The connection broke (reset, closed early, invalid response). */
    CONNECTION_FAILURE,
    /** No response head within the per-try timeout. */
    TIMEOUT,
    /** A response with a 5xx status. */
    SERVER_ERROR,
    /**
     * The try was abandoned for a reason that says nothing about the target (the client went away,
     * the exchange gave up on it): ends the try for least-request without counting for or against
     * the target's health.
     */
    CANCELLED
}
