package io.hecate.core.internal.limit;

import io.hecate.core.filter.FilterChain;
import io.hecate.core.filter.FilterExchange;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;

/** A request as a filter sees it, and what the filter did with it; for driving filters directly. */
final class FakeExchange implements FilterExchange, FilterChain {

    final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    final String client;
    final EventLoop loop;
    boolean proceeded;
    HttpResponseStatus status;
    HttpHeaders headers;
    String body;

    FakeExchange(String client) {
        this(client, null);
    }

    FakeExchange(String client, EventLoop loop) {
        this.client = client;
        this.loop = loop;
    }

    FakeExchange header(String name, String value) {
        request.headers().set(name, value);
        return this;
    }

    boolean decided() {
        return proceeded || status != null;
    }

    @Override
    public void proceed() {
        proceeded = true;
    }

    @Override
    public void respond(HttpResponseStatus responseStatus, HttpHeaders responseHeaders, String responseBody) {
        status = responseStatus;
        headers = responseHeaders;
        body = responseBody;
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public String clientAddress() {
        return client;
    }

    @Override
    public String scheme() {
        return "http";
    }

    @Override
    public String routeId() {
        return "r";
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }
}
