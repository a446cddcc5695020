package io.hecate.auth.internal;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/** What one auth subrequest came to: the service's answer, or why there is none. */
public sealed interface AuthResult {

    /** The service answered; {@code headers} are never changed after this is made. */
    record Answer(int status, HttpHeaders headers, String body) implements AuthResult {
    }

    /** No usable answer: the request is refused with {@code status} and a body naming the service. */
    record Failure(AuthStats.Outcome outcome, HttpResponseStatus status, String reason) implements AuthResult {
    }
}
