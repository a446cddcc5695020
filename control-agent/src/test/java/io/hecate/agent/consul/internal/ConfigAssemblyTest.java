package io.hecate.agent.consul.internal;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigAssemblyTest {

    private final KvLayout layout = new KvLayout("hecate/");
    private final ConfigAssembly assembly = new ConfigAssembly(layout);
    private final ConsulState state = new ConsulState();
    private final ProxyConfig file = ProxyConfig.builder()
            .upstream("local", UpstreamConfig.of("127.0.0.1:9000"))
            .route(RouteConfig.of("file-route", MatchConfig.prefix("/file"), ProxyAction.to("local")))
            .build();
    private long index = 1;

    private void kv(String folder, Map<String, String> documents) {
        SortedMap<String, ConsulState.Document> map = new TreeMap<>();
        documents.forEach((key, text) -> map.put(folder + key, new ConsulState.Document(folder + key, text, index++)));
        if (folder.equals(layout.routes())) {
            state.routes(map, false);
        } else {
            state.upstreams(map, false);
        }
    }

    private static List<String> routeIds(ProxyConfig config) {
        return config.routes().stream().map(RouteConfig::id).toList();
    }

    @Test
    void fileKvAndCatalogJoinInThatOrder() throws ConfigException {
        kv(layout.upstreams(), Map.of("app", "targets: [\"10.0.0.1:80\"]"));
        kv(layout.routes(), Map.of("b", "match: {path_prefix: /b}\nproxy: {upstream: app}",
                "a", "match: {path_prefix: /a}\nproxy: {upstream: local}"));
        state.services(Map.of("web", List.of("hecate.enable=true", "hecate.path_prefix=/web")));
        state.instances("web", List.of(new ConsulState.Instance("w1", "10.0.0.9", 8080, true),
                new ConsulState.Instance("w2", "10.0.0.8", 8080, false)));

        ConfigAssembly.Result result = assembly.assemble(file, state);

        assertThat(result.rejections()).isEmpty();
        assertThat(routeIds(result.config())).containsExactly("file-route", "a", "b", "catalog-web");
        assertThat(result.config().upstreams()).containsOnlyKeys("local", "app", "web");
        assertThat(result.config().upstreams().get("web").targets()).singleElement()
                .satisfies(t -> assertThat(t.address()).isEqualTo("10.0.0.9:8080"));
    }

    @Test
    void aBadVersionOfADocumentKeepsItsLastGoodOneAndANewBadOneIsLeftOut() throws ConfigException {
        kv(layout.routes(), Map.of("a", "match: {path_prefix: /a}\nproxy: {upstream: local}"));
        assembly.assemble(file, state);

        kv(layout.routes(), Map.of("a", "match: {path_prefix: /a-new}\nproxy: {upstream: missing}",
                "b", "match: {path_prefix: /b}\nproxy: {upstream: missing}",
                "c", "match: [not, a, mapping]\nproxy: {upstream: local}",
                "d", "match: {path_prefix: /d}\nproxy: {upstream: local}"));
        ConfigAssembly.Result result = assembly.assemble(file, state);

        assertThat(routeIds(result.config())).containsExactly("file-route", "a", "d");
        assertThat(result.config().routes().get(1).match().pathPrefix()).as("the last good version").isEqualTo("/a");
        assertThat(result.rejections()).extracting(ConfigAssembly.Rejection::source)
                .contains("consul:hecate/routes/a", "consul:hecate/routes/b", "consul:hecate/routes/c");
        assertThat(result.rejections()).filteredOn(r -> r.source().endsWith("/a")).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("missing").contains("keeping its previous version"));
    }

    @Test
    void theSameIdFromTwoSourcesIsAConflictTheFileWinsThenKv() throws ConfigException {
        kv(layout.upstreams(), Map.of("local", "targets: [\"10.0.0.2:80\"]", "web", "targets: [\"10.0.0.3:80\"]"));
        kv(layout.routes(), Map.of("file-route", "match: {path_prefix: /kv}\nproxy: {upstream: local}"));
        state.services(Map.of("web", List.of("hecate.enable=true")));

        ConfigAssembly.Result result = assembly.assemble(file, state);

        assertThat(result.config().upstreams().get("local").targets().get(0).address()).isEqualTo("127.0.0.1:9000");
        assertThat(result.config().upstreams().get("web").targets().get(0).address()).isEqualTo("10.0.0.3:80");
        assertThat(result.config().routes()).singleElement()
                .satisfies(r -> assertThat(r.match().pathPrefix()).isEqualTo("/file"));
        assertThat(result.rejections()).extracting(ConfigAssembly.Rejection::toString)
                .anySatisfy(r -> assertThat(r).startsWith("consul:hecate/upstreams/local").contains("file, which wins"))
                .anySatisfy(r -> assertThat(r).startsWith("consul:hecate/routes/file-route"))
                .anySatisfy(r -> assertThat(r).startsWith("consul-catalog:web").contains("consul:hecate/upstreams/web"));
    }

    @Test
    void anEmptyRoutesFolderWhereRoutesExistedIsRefusedUnlessAllowed() throws ConfigException {
        kv(layout.routes(), Map.of("a", "match: {path_prefix: /a}\nproxy: {upstream: local}"));

        assertThat(state.routes(new TreeMap<>(), false)).isFalse();
        ConfigAssembly.Result result = assembly.assemble(file, state);
        assertThat(routeIds(result.config())).containsExactly("file-route", "a");
        assertThat(result.rejections()).singleElement().satisfies(r -> assertThat(r.message()).contains("is empty"));

        assertThat(state.routes(new TreeMap<>(), true)).isTrue();
        assertThat(routeIds(assembly.assemble(file, state).config())).containsExactly("file-route");
    }

    @Test
    void anEmptyUpstreamsFolderWhereUpstreamsExistedIsRefusedToo() throws ConfigException {
        kv(layout.upstreams(), Map.of("app", "targets: [\"10.0.0.1:80\"]"));
        kv(layout.routes(), Map.of("a", "match: {path_prefix: /a}\nproxy: {upstream: app}"));

        assertThat(state.upstreams(new TreeMap<>(), false)).isFalse();
        ConfigAssembly.Result result = assembly.assemble(file, state);

        assertThat(routeIds(result.config())).containsExactly("file-route", "a");
        assertThat(result.config().upstreams()).containsKey("app");
        assertThat(result.rejections()).singleElement()
                .satisfies(r -> assertThat(r.message()).contains("upstreams/ folder in Consul is empty"));
    }
}
