package io.hecate.agent.consul.testdouble;

/**
 * An error answered as Consul answers it: a status code and a plain-text body. Consul's HTTP layer turns
 * an error coming back from its RPC layer (the state store) into a 500 carrying the error's text — e.g.
 * {@code invalid session "…"} or {@code No path to datacenter} — and its own input checks into a 400.
 */
final class ApiError extends RuntimeException {

    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** An error from the RPC / state-store layer: HTTP 500 with the error text. */
    static ApiError rpc(String message) {
        return new ApiError(500, message);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    int status() {
        return status;
    }
}
