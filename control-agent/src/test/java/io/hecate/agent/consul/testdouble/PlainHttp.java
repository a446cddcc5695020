package io.hecate.agent.consul.testdouble;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/** The JDK HttpClient pointed at a double, for the tests that speak plain HTTP. Every request has a timeout. */
final class PlainHttp {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client;
    private final String base;

    PlainHttp(String base) {
        this(base, null);
    }

    PlainHttp(String base, SSLContext ssl) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.client = builder.build();
        this.base = base;
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) {
        return send("GET", pathAndQuery, null, headers);
    }

    HttpResponse<String> put(String pathAndQuery, String body, String... headers) {
        return send("PUT", pathAndQuery, body, headers);
    }

    HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers) {
        try {
            return client.send(request(method, pathAndQuery, body, headers), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<HttpResponse<String>> getAsync(String pathAndQuery) {
        return client.sendAsync(request("GET", pathAndQuery, null), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String pathAndQuery, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }
}
