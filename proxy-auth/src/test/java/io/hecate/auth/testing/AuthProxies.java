package io.hecate.auth.testing;

import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.filter.RouteFilterFactory;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Starts a proxy with one route {@code app} to a backend, guarded by one filter; and sends requests to it. */
public final class AuthProxies {

    private AuthProxies() {
    }

    public static ProxyFixture guarded(RouteFilterFactory factory, Map<String, Object> settings, TestBackend backend)
            throws ConfigException {
        return guarded(factory, settings, backend, null, ProxyFixture.baseConfig());
    }

    public static ProxyFixture guarded(RouteFilterFactory factory, Map<String, Object> settings, TestBackend backend,
                                       String host, ProxyConfig.Builder base) throws ConfigException {
        MatchConfig match = host == null ? MatchConfig.prefix("/") : MatchConfig.prefix("/").withHost(host);
        ProxyConfig config = base
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(new RouteConfig("app", match, ProxyAction.to("app"),
                        List.of(new FilterConfig(factory.type(), settings))))
                .build();
        return ProxyFixture.start(Hecate.builder().filter(factory).config(config));
    }

    /** A GET through the proxy with the given header name/value pairs; the body as text. */
    public static HttpResponse<String> get(ProxyFixture proxy, String pathAndQuery, String... headers)
            throws IOException, InterruptedException {
        return ProxyFixture.HTTP.send(request(proxy.uri(pathAndQuery), headers),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public static HttpRequest request(URI uri, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder.build();
    }
}
