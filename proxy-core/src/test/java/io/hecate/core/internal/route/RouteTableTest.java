package io.hecate.core.internal.route;

import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.RespondAction;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTableTest {

    private static final HttpHeaders NO_HEADERS = new DefaultHttpHeaders();

    private static Route route(String id, MatchConfig match) {
        return new Route(id, match.methods(), match.headers(), RespondAction.of(200, id), List.of(), null);
    }

    private static RouteTable table(Map.Entry<String, MatchConfig>... routes) {
        RouteTable.Builder builder = RouteTable.builder();
        for (Map.Entry<String, MatchConfig> entry : routes) {
            builder.add(entry.getValue(), route(entry.getKey(), entry.getValue()));
        }
        return builder.build();
    }

    private static String find(RouteTable table, String host, String path) {
        Route route = table.find(host, path, HttpMethod.GET, NO_HEADERS);
        return route == null ? null : route.id();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theMostSpecificHostThenPathWinsRegardlessOfOrder() {
        RouteTable table = table(
                Map.entry("any", MatchConfig.any()),
                Map.entry("any-api", MatchConfig.prefix("/api")),
                Map.entry("wild", MatchConfig.host("*.example.com")),
                Map.entry("wild-deep", MatchConfig.host("*.eu.example.com")),
                Map.entry("exact", MatchConfig.host("app.example.com").withPathPrefix("/")),
                Map.entry("exact-api", MatchConfig.host("app.example.com").withPathPrefix("/api/")),
                Map.entry("exact-api-v1", MatchConfig.host("app.example.com").withPath("/api/v1")),
                Map.entry("regex", MatchConfig.host("app.example.com").withPathRegex("/api/v[0-9]+/.*")),
                Map.entry("shared-well-known", MatchConfig.prefix("/.well-known/")));

        assertThat(find(table, "app.example.com", "/api/v1")).isEqualTo("exact-api-v1");
        assertThat(find(table, "app.example.com", "/api/v2/x")).isEqualTo("exact-api");
        assertThat(find(table, "app.example.com", "/other")).isEqualTo("exact");
        assertThat(find(table, "x.eu.example.com", "/")).isEqualTo("wild-deep");
        assertThat(find(table, "x.us.example.com", "/")).isEqualTo("wild");
        assertThat(find(table, "example.com", "/api/x")).isEqualTo("any-api");
        assertThat(find(table, null, "/z")).isEqualTo("any");
        assertThat(find(table, "elsewhere.org", "/.well-known/acme")).isEqualTo("shared-well-known");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aHostWithoutAMatchingPathFallsThroughToLessSpecificHosts() {
        RouteTable table = table(
                Map.entry("exact-only-admin", MatchConfig.host("app.example.com").withPath("/admin")),
                Map.entry("wild-static", MatchConfig.host("*.example.com").withPathPrefix("/static/")),
                Map.entry("challenge", MatchConfig.prefix("/.well-known/")));

        assertThat(find(table, "app.example.com", "/static/a.css")).isEqualTo("wild-static");
        assertThat(find(table, "app.example.com", "/.well-known/x")).isEqualTo("challenge");
        assertThat(find(table, "app.example.com", "/nothing")).isNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void methodAndHeaderConditionsAndFileOrderBreakTies() {
        RouteTable table = table(
                Map.entry("canary", MatchConfig.prefix("/api").withHeader("X-Env", "canary")),
                Map.entry("writes", MatchConfig.prefix("/api").withMethods("POST", "PUT")),
                Map.entry("reads", MatchConfig.prefix("/api")),
                Map.entry("never", MatchConfig.prefix("/api")));
        HttpHeaders canary = new DefaultHttpHeaders().add("X-Env", "canary");

        assertThat(table.find(null, "/api/x", HttpMethod.GET, canary).id()).isEqualTo("canary");
        assertThat(table.find(null, "/api/x", HttpMethod.POST, NO_HEADERS).id()).isEqualTo("writes");
        assertThat(table.find(null, "/api/x", HttpMethod.GET, NO_HEADERS).id()).isEqualTo("reads");
    }

    @Test
    void tenThousandRoutesStillResolveEachToItsOwnRoute() {
        RouteTable.Builder builder = RouteTable.builder();
        for (int i = 0; i < 10_000; i++) {
            MatchConfig host = MatchConfig.host("svc" + i + ".example.com").withPathPrefix("/v" + (i % 7) + "/");
            builder.add(host, route("host-" + i, host));
            MatchConfig path = MatchConfig.prefix("/tenant/" + i + "/");
            builder.add(path, route("path-" + i, path));
        }
        RouteTable table = builder.build();
        for (int i = 0; i < 10_000; i += 97) {
            assertThat(find(table, "svc" + i + ".example.com", "/v" + (i % 7) + "/x")).isEqualTo("host-" + i);
            assertThat(find(table, "svc" + i + ".example.com", "/tenant/" + i + "/x")).isEqualTo("path-" + i);
            assertThat(find(table, "svc" + i + ".example.com", "/tenant/" + i + "x")).isNull();
        }
    }
}
