package io.hecate.core.filter;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/** How a filter lets a request go on, or answers it itself. Call exactly one method, once. */
public interface FilterChain {

    /** Runs the next filter, or the route's action after the last one. */
    void proceed();

    /** Answers the request with this response; the route's action does not run. */
    void respond(HttpResponseStatus status, HttpHeaders headers, String body);
}
