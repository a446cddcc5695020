package io.hecate.agent.consul.internal;

import io.hecate.core.config.ConfigDocuments;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.config.UpstreamProtocol;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogTagsTest {

    @Test
    void theServicesRouteAndNamedRoutesComeFromItsTags() throws ConfigException {
        CatalogTags tags = CatalogTags.read("web", List.of("hecate.enable=true", "hecate.host=app.example.com",
                "hecate.path_prefix=/api", "hecate.strip_prefix=/api", "hecate.route.admin.host=admin.example.com",
                "unrelated", "v2"));

        assertThat(tags.problems()).isEmpty();
        assertThat(tags.upstream()).isEqualTo("web");
        assertThat(tags.routes()).containsOnlyKeys("catalog-web", "catalog-web-admin");
        RouteConfig main = ConfigDocuments.route("t", "catalog-web", tags.routes().get("catalog-web"));
        assertThat(main.match().host()).isEqualTo("app.example.com");
        assertThat(main.match().pathPrefix()).isEqualTo("/api");
        assertThat(main.action()).isInstanceOfSatisfying(ProxyAction.class, proxy -> {
            assertThat(proxy.upstream()).isEqualTo("web");
            assertThat(proxy.stripPrefix()).isEqualTo("/api");
        });
        RouteConfig admin = ConfigDocuments.route("t", "catalog-web-admin", tags.routes().get("catalog-web-admin"));
        assertThat(admin.match().host()).isEqualTo("admin.example.com");
    }

    @Test
    void upstreamTagsNameAndShapeTheUpstream() throws ConfigException {
        CatalogTags tags = CatalogTags.read("grpc-svc", List.of("hecate.enable=true", "hecate.upstream=grpc",
                "hecate.protocol=h2c", "hecate.balance=least_request"));

        assertThat(tags.upstream()).isEqualTo("grpc");
        assertThat(tags.routes()).isEmpty();
        UpstreamConfig upstream = ConfigDocuments.upstream("t", tags.upstreamDocument(List.of("10.0.0.1:50051")));
        assertThat(upstream.protocol()).isEqualTo(UpstreamProtocol.H2C);
        assertThat(upstream.targets()).singleElement().satisfies(t -> assertThat(t.address()).isEqualTo("10.0.0.1:50051"));
    }

    @Test
    void mistakesAreReportedPerTagAndTheRestStillApplies() {
        CatalogTags tags = CatalogTags.read("web", List.of("hecate.enable=true", "hecate.hots=typo.example.com",
                "hecate.path_prefix=/web", "hecate.route.x.strip_prefix=/x", "hecate.route.bad name.host=h",
                "hecate.novalue"));

        assertThat(tags.routes()).containsOnlyKeys("catalog-web");
        assertThat(tags.problems()).anySatisfy(p -> assertThat(p).contains("hecate.hots").contains("unknown key"))
                .anySatisfy(p -> assertThat(p).contains("catalog-web-x").contains("host, path or path_prefix"))
                .anySatisfy(p -> assertThat(p).contains("bad name"))
                .anySatisfy(p -> assertThat(p).contains("hecate.novalue"));
    }

    @Test
    void onlyServicesTaggedEnableAreServed() {
        assertThat(CatalogTags.enabled(List.of("hecate.enable=true"))).isTrue();
        assertThat(CatalogTags.enabled(List.of("hecate.enable=false", "hecate.host=a"))).isFalse();
        assertThat(CatalogTags.enabled(null)).isFalse();
    }
}
