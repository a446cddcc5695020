package io.hecate.core.internal.upstream;

import java.io.IOException;

/**
 * The upstream refused a request before processing any of it (HTTP/2 REFUSED_STREAM, or a GOAWAY
 * whose last stream id is below the request's). Such a request is always safe to retry.
 */
public final class StreamRefusedException extends IOException {

    public StreamRefusedException(String message) {
        super(message);
    }
}
