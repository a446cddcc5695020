package io.hecate.core.internal.http;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.function.Consumer;

/**
 * Lets a built-in filter edit the head of the response its request will get, whichever it is
 * (proxied, or answered by Hecate or a later filter). The edit runs once, on the exchange's event
 * loop, just before the response head is written. Implemented by the exchange; internal, not API.
 */
public interface ResponseHeaderEdits {

    void editResponseHeaders(Consumer<HttpHeaders> edit);
}
