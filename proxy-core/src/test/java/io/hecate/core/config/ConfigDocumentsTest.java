package io.hecate.core.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigDocumentsTest {

    @Test
    void aRouteDocumentInYamlTakesItsIdFromTheKeyWhenItNamesNone() throws ConfigException {
        RouteConfig route = ConfigDocuments.route("consul:hecate/routes/api", "api", """
                version: 1
                match: { host: app.example.com, path_prefix: /api/ }
                proxy: { upstream: app, strip_prefix: /api }
                """);

        assertThat(route.id()).isEqualTo("api");
        assertThat(route.match().host()).isEqualTo("app.example.com");
        assertThat(route.action()).isInstanceOfSatisfying(ProxyAction.class,
                proxy -> assertThat(proxy.upstream()).isEqualTo("app"));
    }

    @Test
    void anUpstreamDocumentInJsonReadsLikeTheFilesMapping() throws ConfigException {
        UpstreamConfig upstream = ConfigDocuments.upstream("consul:hecate/upstreams/app", """
                {
                  "version": 1,
                  "targets": ["10.0.0.1:8080", {"address": "10.0.0.2:8080", "weight": 3}],
                  "balance": {"policy": "least_request"}
                }
                """);

        assertThat(upstream.targets()).extracting(TargetConfig::address).containsExactly("10.0.0.1:8080", "10.0.0.2:8080");
        assertThat(upstream.targets().get(1).weight()).isEqualTo(3);
        assertThat(upstream.balance().policy()).isEqualTo(BalanceConfig.Policy.LEAST_REQUEST);
    }

    @Test
    void problemsNameTheDocumentTheLineAndTheKey() {
        assertThatThrownBy(() -> ConfigDocuments.route("consul:hecate/routes/api", "api", """
                match: { path_prefix: /api/ }
                proxy:
                  upstrem: app
                """))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).first()
                        .satisfies(p -> {
                            assertThat(p.source()).isEqualTo("consul:hecate/routes/api");
                            assertThat(p.line()).isEqualTo(3);
                            assertThat(p.path()).isEqualTo("route.proxy.upstrem");
                            assertThat(p.message()).contains("upstream");
                        }));
    }

    @Test
    void aDocumentWrittenForANewerSchemaIsRefusedWithTheUpgradeToMake() {
        assertThatThrownBy(() -> ConfigDocuments.upstream("consul:hecate/upstreams/app", """
                version: 7
                targets: ["10.0.0.1:8080"]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("consul:hecate/upstreams/app:1")
                .hasMessageContaining("schema version 7")
                .hasMessageContaining("upgrade");
    }

    @Test
    void somethingOtherThanAMappingIsRefused() {
        assertThatThrownBy(() -> ConfigDocuments.upstream("k", "- just\n- a list\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected a mapping");
        assertThatThrownBy(() -> ConfigDocuments.upstream("k", "{ not json"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid YAML");
    }
}
