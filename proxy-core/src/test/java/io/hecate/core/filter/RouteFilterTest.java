package io.hecate.core.filter;

import io.hecate.core.Hecate;
import io.hecate.core.config.AccessLogConfig;
import io.hecate.core.config.AdminConfig;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-route filter chain, through the public API only. */
class RouteFilterTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Rejects requests without the configured header; otherwise lets them through. */
    private static final class RequireHeader implements RouteFilterFactory {
        @Override
        public String type() {
            return "require_header";
        }

        @Override
        public RouteFilter create(FilterConfig config) {
            Object name = config.settings().get("name");
            if (!(name instanceof String header)) {
                throw new IllegalArgumentException("name: a header name is required");
            }
            return (exchange, chain) -> {
                if (exchange.request().headers().contains(header)) {
                    chain.proceed();
                } else {
                    DefaultHttpHeaders headers = new DefaultHttpHeaders();
                    headers.set("WWW-Authenticate", "ApiKey");
                    chain.respond(HttpResponseStatus.UNAUTHORIZED, headers, "missing " + header + "\n");
                }
            };
        }
    }

    /** Proceeds later, from a timer on the exchange's own event loop, as an asynchronous check would. */
    private static final class Deferred implements RouteFilterFactory {
        @Override
        public String type() {
            return "deferred";
        }

        @Override
        public RouteFilter create(FilterConfig config) {
            return (exchange, chain) -> exchange.eventLoop().schedule(chain::proceed, 50, TimeUnit.MILLISECONDS);
        }
    }

    private Hecate start(List<FilterConfig> filters) throws ConfigException {
        return Hecate.builder()
                .filter(new RequireHeader())
                .filter(new Deferred())
                .config(ProxyConfig.builder().listen("127.0.0.1:0").admin(AdminConfig.disabled())
                        .accessLog(AccessLogConfig.off())
                        .route(new RouteConfig("api", MatchConfig.prefix("/"), RespondAction.of(200, "through\n"), filters))
                        .build())
                .start();
    }

    @Test
    void aFilterCanAnswerOrLetTheRequestThroughAndFiltersRunInOrder() throws Exception {
        try (Hecate proxy = start(List.of(new FilterConfig("deferred", Map.of()),
                new FilterConfig("require_header", Map.of("name", "X-Api-Key"))))) {
            URI uri = URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + "/x");
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("www-authenticate")).hasValue("ApiKey");
            assertThat(refused.body()).isEqualTo("missing X-Api-Key\n");

            HttpResponse<String> allowed = client.send(HttpRequest.newBuilder(uri).header("X-Api-Key", "k").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).isEqualTo("through\n");
        }
    }

    /** Guards its route, and contributes an unguarded route of its own on the same host, as a sign-in endpoint would. */
    private static final class WithSignIn implements RouteFilterFactory {
        @Override
        public String type() {
            return "with_sign_in";
        }

        @Override
        public RouteFilter create(FilterConfig config) {
            return (exchange, chain) -> chain.respond(HttpResponseStatus.FORBIDDEN, null, "guarded\n");
        }

        @Override
        public Contribution contribute(RouteConfig route, FilterConfig config) {
            return new Contribution(Map.of(), List.of(RouteConfig.of("with_sign_in-" + route.id(),
                    MatchConfig.prefix("/sign-in/"), RespondAction.of(200, "sign in here\n"))));
        }
    }

    @Test
    void aFilterCanContributeRoutesThatItsRouteDoesNotGuard() throws Exception {
        try (Hecate proxy = Hecate.builder().filter(new WithSignIn())
                .config(ProxyConfig.builder().listen("127.0.0.1:0").admin(AdminConfig.disabled())
                        .accessLog(AccessLogConfig.off())
                        .route(new RouteConfig("app", MatchConfig.prefix("/"), RespondAction.of(200, "app\n"),
                                List.of(new FilterConfig("with_sign_in", Map.of()))))
                        .build())
                .start()) {
            String base = "http://127.0.0.1:" + proxy.httpAddress().getPort();
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
            HttpResponse<String> signIn = client.send(HttpRequest.newBuilder(URI.create(base + "/sign-in/start")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signIn.statusCode()).isEqualTo(200);
            assertThat(signIn.body()).isEqualTo("sign in here\n");
            assertThat(proxy.config().routes()).as("the config as given stays as given").hasSize(1);
        }
    }

    @Test
    void unknownFilterTypesAndBadSettingsAreConfigErrors() {
        assertThatThrownBy(() -> start(List.of(new FilterConfig("nope", Map.of()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routes[0].filters[0].type: no filter of type \"nope\" is installed");
        assertThatThrownBy(() -> start(List.of(new FilterConfig("require_header", Map.of()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routes[0].filters[0]: name: a header name is required");
    }
}
