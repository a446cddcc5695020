package io.hecate.core.proxy;

import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** A route's maximum request body: 413 for a declared length at once, and for a chunked body as it grows. */
class RequestBodyLimitTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;

    private void start() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.start(ProxyFixture.baseConfig()
                .upstream("app", UpstreamConfig.of(backend.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app").withMaxRequestBody(4096)))
                .build());
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeReachingTheBackend() throws Exception {
        start();
        HttpResponse<String> refused = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4097])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.body()).contains("exceeds the route's limit of 4096 bytes");
        assertThat(backend.requestCount()).isZero();

        HttpResponse<String> accepted = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4096])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(accepted.body()).hasSize(4096);
    }

    @Test
    void aChunkedBodyGrowingPastTheLimitIsCutWith413() throws Exception {
        start();
        HttpResponse<String> refused = ProxyFixture.HTTP.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[64 * 1024])))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.body()).contains("request body exceeds the route's limit of 4096 bytes");
    }
}
