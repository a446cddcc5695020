package io.hecate.core.filter;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;

/** What a filter sees of the request it runs for. */
public interface FilterExchange {

    /** The request head; its headers may be changed and are what the action then uses. */
    HttpRequest request();

    /** The downstream peer's address (not X-Forwarded-For). */
    InetSocketAddress remoteAddress();

    /** The client's address after applying the trusted-proxy list to X-Forwarded-For. */
    String clientAddress();

    /** {@code http} or {@code https}, as the client spoke to Hecate. */
    String scheme();

    String routeId();

    /** The event loop the exchange lives on; asynchronous work must come back to it. */
    EventLoop eventLoop();
}
