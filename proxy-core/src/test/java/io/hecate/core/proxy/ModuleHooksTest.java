package io.hecate.core.proxy;

import io.hecate.core.Hecate;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import io.hecate.core.tls.HttpChallengeResponder;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What modules plug into the data plane and the admin API: the ACME HTTP-01 responder and admin endpoints. */
class ModuleHooksTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;

    @Test
    void http01ChallengesAreAnsweredBeforeRoutingAndUnknownTokensAreRouted() throws Exception {
        backend = TestBackend.start();
        Map<String, String> tokens = Map.of("tok-1", "tok-1.thumbprint");
        HttpChallengeResponder responder = (host, token) ->
                "127.0.0.1".equals(host) ? tokens.get(token) : null;
        proxy = ProxyFixture.start(Hecate.builder()
                .config(ProxyFixture.oneRoute(UpstreamConfig.of(backend.address())))
                .httpChallenges(responder));

        HttpResponse<byte[]> answered = proxy.get("/.well-known/acme-challenge/tok-1");
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(new String(answered.body())).isEqualTo("tok-1.thumbprint");
        assertThat(answered.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(backend.requestCount()).isZero();

        // Not ours (unknown token, or a deeper path): the route decides, as without the responder.
        assertThat(proxy.get("/.well-known/acme-challenge/other").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/.well-known/acme-challenge/tok-1/x").statusCode()).isEqualTo(200);
        assertThat(backend.requestCount()).isEqualTo(2);
        assertThat(backend.recorded()).extracting(TestBackend.Recorded::uri)
                .containsExactly("/.well-known/acme-challenge/other", "/.well-known/acme-challenge/tok-1/x");
    }

    @Test
    void modulesAddReadOnlyAdminEndpoints() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.start(Hecate.builder()
                .config(ProxyFixture.oneRoute(UpstreamConfig.of(backend.address())))
                .adminEndpoint("/certs", () -> "{\"certificates\":[]}"));

        HttpResponse<String> certs = proxy.admin("/certs");
        assertThat(certs.statusCode()).isEqualTo(200);
        assertThat(certs.body()).isEqualTo("{\"certificates\":[]}");
        assertThat(certs.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(proxy.admin("/nothing").statusCode()).isEqualTo(404);

        assertThatThrownBy(() -> Hecate.builder().adminEndpoint("/metrics", () -> "{}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
