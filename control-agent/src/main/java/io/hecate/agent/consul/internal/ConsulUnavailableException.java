package io.hecate.agent.consul.internal;

/**
 * Consul could not be asked, or refused to answer: the message names the address and the cause
 * (unreachable, ACL token refused, an error status), ready for an operator.
 */
public final class ConsulUnavailableException extends Exception {

    private final int status;

    ConsulUnavailableException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status Consul answered with, or 0 when it was not reached. */
    public int status() {
        return status;
    }

    /** Whether Consul refused the ACL token (403), which no retry will fix. */
    public boolean tokenRefused() {
        return status == 403;
    }
}
