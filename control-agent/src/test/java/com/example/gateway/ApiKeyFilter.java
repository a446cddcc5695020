package com.example.gateway;

import io.hecate.core.filter.FilterChain;
import io.hecate.core.filter.FilterExchange;
import io.hecate.core.filter.RouteFilter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Lets a request through only when it carries the API key; answers 401 otherwise. */
final class ApiKeyFilter implements RouteFilter {

    private final String header;
    private final byte[] key;

    ApiKeyFilter(String header, String key) {
        this.header = header;
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void onRequest(FilterExchange exchange, FilterChain chain) {
        String sent = exchange.request().headers().get(header);
        // Constant-time comparison, so response timing does not reveal how much of a guess was right.
        if (sent != null && MessageDigest.isEqual(key, sent.getBytes(StandardCharsets.UTF_8))) {
            chain.proceed();
        } else {
            chain.respond(HttpResponseStatus.UNAUTHORIZED,
                    new DefaultHttpHeaders().set("WWW-Authenticate", "ApiKey header=\"" + header + "\""),
                    "missing or wrong " + header + "\n");
        }
    }
}
