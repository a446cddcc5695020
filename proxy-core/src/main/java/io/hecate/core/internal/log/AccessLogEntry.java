package io.hecate.core.internal.log;

/**
 * One finished exchange, captured on the event loop and formatted later by the writer thread.
 *
 * @param startMillis wall-clock time the request head arrived
 * @param status      status sent, or 0 when the client went away before a response
 * @param error       why Hecate answered with an error or gave up, or {@code null}
 */
public record AccessLogEntry(long startMillis, String routeId, String target, String method, String uri,
                             int status, long bytesIn, long bytesOut, long durationMicros, String client,
                             String error) {
}
