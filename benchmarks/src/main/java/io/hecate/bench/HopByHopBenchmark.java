package io.hecate.bench;

import io.hecate.core.internal.http.ForwardedHeaders;
import io.hecate.core.internal.http.HopByHop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;


/** Sanitising a typical browser request head for the upstream: hop-by-hop removal plus X-Forwarded-*. */
@State(Scope.Thread)
public class HopByHopBenchmark {

    private static final String PEER_IP = "192.0.2.10";

    private static HttpHeaders browserRequest() {
        return new DefaultHttpHeaders()
                .add("Host", "app.example.com")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0")
                .add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .add("Accept-Language", "en-US,en;q=0.5")
                .add("Accept-Encoding", "gzip, deflate, br")
                .add("Connection", "keep-alive")
                .add("Cookie", "authentik_proxy_1a2b3c4d=abcdef0123456789; theme=dark")
                .add("Upgrade-Insecure-Requests", "1");
    }

    @Benchmark
    public HttpHeaders stripOnly() {
        HttpHeaders headers = browserRequest();
        HopByHop.strip(headers);
        return headers;
    }

    @Benchmark
    public HttpHeaders stripAndForward() {
        HttpHeaders headers = browserRequest();
        HopByHop.strip(headers);
        ForwardedHeaders.apply(headers, PEER_IP, false, "http", "app.example.com");
        return headers;
    }

    @Benchmark
    public HttpHeaders buildOnly() {
        return browserRequest();
    }
}
