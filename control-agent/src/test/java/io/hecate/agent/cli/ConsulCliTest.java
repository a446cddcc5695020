package io.hecate.agent.cli;

import com.google.gson.JsonObject;
import io.hecate.agent.consul.ConsulSettings;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.Transaction;
import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class ConsulCliTest {

    private static final String APP = "targets: [\"10.0.0.5:8080\"]\n";
    private static final String APP_MOVED = "targets:\n  - address: 10.0.0.6:8080\n    weight: 2\n";
    private static final String API = """
            # the public API
            match: { host: app.example.com, path_prefix: /api/ }
            proxy: { upstream: app, strip_prefix: /api }
            """;
    private static final Pattern AUDIT_KEY = Pattern.compile("hecate/audit/\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f]{8}");

    @TempDir
    Path dir;

    private ConsulTestDouble consul;
    private ConsulCli hecate;

    @BeforeEach
    void start() throws IOException {
        consul = ConsulTestDouble.start();
        hecate = new ConsulCli(consul);
    }

    @AfterEach
    void stop() {
        consul.close();
    }

    @Test
    void createReadListUpdateDeleteEachWriteTheirAuditEntry() throws IOException {
        Cli createdUpstream = hecate.run("create", "upstream", "app", "--file", file("app.yaml", APP), "--who", "alice");
        assertThat(createdUpstream.exitCode()).as(createdUpstream.err()).isZero();
        assertThat(createdUpstream.out()).startsWith("created upstream app (hecate/upstreams/app); audit entry hecate/audit/");
        Cli createdRoute = hecate.run("create", "route", "api", "--file", file("api.yaml", API), "--who", "alice");
        assertThat(createdRoute.exitCode()).as(createdRoute.err()).isZero();
        assertThat(consul.kv("hecate/routes/")).containsExactly(Map.entry("hecate/routes/api", API));

        Cli read = hecate.run("read", "route", "api");
        assertThat(read.exitCode()).as(read.err()).isZero();
        assertThat(read.out()).isEqualTo(API);
        assertThat(hecate.run("list", "routes").out()).isEqualTo("api  app.example.com/api/* -> app\n");
        assertThat(hecate.run("list", "upstreams").out()).isEqualTo("app  10.0.0.5:8080\n");

        Cli updated = hecate.run("update", "upstream", "app", "--file", file("moved.yaml", APP_MOVED), "--who", "bob");
        assertThat(updated.exitCode()).as(updated.err()).isZero();
        assertThat(consul.get("hecate/upstreams/app")).isEqualTo(APP_MOVED);
        assertThat(hecate.run("list", "upstreams").out()).isEqualTo("app  10.0.0.6:8080\n");

        Cli deleted = hecate.run("delete", "route", "api", "--who", "carol");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(consul.get("hecate/routes/api")).isNull();
        assertThat(deleted.err()).contains("that was the last route in Consul").contains("consul.allow_empty");

        assertThat(consul.kv("hecate/audit/").keySet()).allMatch(key -> AUDIT_KEY.matcher(key).matches());
        List<JsonObject> audit = hecate.audit("hecate/");
        assertThat(audit).hasSize(4);
        assertAudit(audit.get(0), "alice", "create", "hecate/upstreams/app", null, APP);
        assertAudit(audit.get(1), "alice", "create", "hecate/routes/api", null, API);
        assertAudit(audit.get(2), "bob", "update", "hecate/upstreams/app", APP, APP_MOVED);
        assertAudit(audit.get(3), "carol", "delete", "hecate/routes/api", API, null);
        assertThat(createdUpstream.out()).contains(consul.kv("hecate/audit/").firstKey());
    }

    private static void assertAudit(JsonObject entry, String who, String action, String key, String before,
                                    String after) {
        assertThat(entry.keySet()).containsExactlyInAnyOrder("who", "host", "when", "action", "key", "before", "after");
        assertThat(entry.get("who").getAsString()).isEqualTo(who);
        assertThat(entry.get("host").getAsString()).isNotBlank();
        assertThat(Instant.parse(entry.get("when").getAsString())).isBetween(Instant.now().minusSeconds(60),
                Instant.now());
        assertThat(entry.get("action").getAsString()).isEqualTo(action);
        assertThat(entry.get("key").getAsString()).isEqualTo(key);
        assertThat(entry.get("before").isJsonNull() ? null : entry.get("before").getAsString()).isEqualTo(before);
        assertThat(entry.get("after").isJsonNull() ? null : entry.get("after").getAsString()).isEqualTo(after);
    }

    @Test
    void aDocumentCanComeFromStandardInputAndTheAuditNamesTheUserByDefault() {
        Cli created = hecate.runWithInput("{\"targets\": [\"10.0.0.7:80\"]}", "create", "upstream", "app", "--file", "-");

        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(consul.get("hecate/upstreams/app")).isEqualTo("{\"targets\": [\"10.0.0.7:80\"]}");
        String user = System.getenv("USER") != null ? System.getenv("USER") : System.getProperty("user.name");
        assertThat(hecate.audit("hecate/").get(0).get("who").getAsString()).isEqualTo(user);
    }

    @Test
    void aDocumentThatCannotBeReadIsRefusedWithItsLineAndKeyAndNothingIsWritten() throws IOException {
        consul.put("hecate/upstreams/app", APP);
        Map<String, String> before = hecate.everything();
        String route = file("api.yaml", """
                match:
                  path_prefix: /api/
                proxy:
                  upstrem: app
                """);

        Cli refused = hecate.run("create", "route", "api", "--file", route);

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.errLines()).first().asString()
                .startsWith(route + ":4: route.proxy.upstrem: unknown key \"upstrem\"");
        assertThat(refused.errLines()).last().asString().startsWith("Nothing was written");
        assertThat(hecate.everything()).isEqualTo(before);
        assertThat(hecate.anyTransaction()).isFalse();
    }

    @Test
    void aDocumentTheTableRejectsIsRefusedWithItsLineAndKeyAndNothingIsWritten() throws IOException {
        consul.put("hecate/upstreams/app", APP);
        Map<String, String> before = hecate.everything();
        String route = file("api.yaml", """
                match:
                  methods: [GET]
                  path_prefix: api/
                proxy:
                  upstream: app
                """);

        Cli refused = hecate.run("create", "route", "api", "--file", route);

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.errLines()).containsExactly(
                route + ":3: route.match.path_prefix: must start with \"/\", got \"api/\"",
                "Nothing was written: fix the problem above and run the command again.");
        assertThat(hecate.everything()).isEqualTo(before);
        assertThat(hecate.audit("hecate/")).isEmpty();
        assertThat(hecate.anyTransaction()).isFalse();
    }

    @Test
    void aRouteDocumentMustNameTheIdItIsStoredAs() throws IOException {
        consul.put("hecate/upstreams/app", APP);

        Cli refused = hecate.run("create", "route", "api", "--file", file("api.yaml", "id: web\n" + API));

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains(":1: route.id: is \"web\" but the route is stored as \"api\"");
        assertThat(consul.get("hecate/routes/api")).isNull();
    }

    @Test
    void aRouteNamingAnUpstreamNeitherInKvNorInTheCatalogIsRefused() throws IOException {
        consul.registerService("node-1", "legacy-1", "legacy", "10.0.0.9", 8080, List.of("web"), "passing");
        Map<String, String> before = hecate.everything();
        String route = file("api.yaml", "match: { path_prefix: /api/ }\nproxy: { upstream: legacy }\n");

        Cli refused = hecate.run("create", "route", "api", "--file", route);

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.errLines().get(0)).startsWith(route + ":2: route.proxy.upstream: no upstream named \"legacy\"")
                .contains("no upstream document defines it, and no Consul catalog service offers it (one tagged"
                        + " hecate.enable=true and named \"legacy\", or tagged hecate.upstream=legacy)");
        assertThat(hecate.everything()).isEqualTo(before);
    }

    @Test
    void aRouteNamingAnUpstreamTheCatalogOffersIsAccepted() throws IOException {
        consul.registerService("node-1", "billing-1", "billing", "10.0.0.9", 8080, List.of("hecate.enable=true"),
                "passing");
        consul.registerService("node-2", "pay-v2-1", "pay-v2", "10.0.0.10", 8080,
                List.of("hecate.enable=true", "hecate.upstream=payments"), "passing");

        Cli byName = hecate.run("create", "route", "billing", "--file",
                file("billing.yaml", "match: { path_prefix: /billing/ }\nproxy: { upstream: billing }\n"));
        Cli byTag = hecate.run("create", "route", "pay", "--file",
                file("pay.yaml", "match: { path_prefix: /pay/ }\nproxy: { upstream: payments }\n"));

        assertThat(byName.exitCode()).as(byName.err()).isZero();
        assertThat(byTag.exitCode()).as(byTag.err()).isZero();
        assertThat(consul.kv("hecate/routes/").keySet()).containsExactly("hecate/routes/billing", "hecate/routes/pay");
    }

    @Test
    void createRefusesAnIdThatExists() throws IOException {
        consul.put("hecate/upstreams/app", APP);

        Cli refused = hecate.run("create", "upstream", "app", "--file", file("moved.yaml", APP_MOVED));

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("upstream app already exists (hecate/upstreams/app): change it with"
                + " hecate update upstream app");
        assertThat(consul.get("hecate/upstreams/app")).isEqualTo(APP);
        assertThat(hecate.anyTransaction()).isFalse();
    }

    @Test
    void updateFromAStaleReadIsRefusedAndWritesNothing() throws IOException {
        hecate.run("create", "upstream", "app", "--file", file("app.yaml", APP));
        Cli read = hecate.run("read", "upstream", "app", "--index");
        Matcher index = Pattern.compile("ModifyIndex (\\d+) \\(hecate/upstreams/app\\)").matcher(read.err());
        assertThat(index.find()).as(read.err()).isTrue();
        consul.put("hecate/upstreams/app", "targets: [\"10.0.0.8:8080\"]\n");

        Cli refused = hecate.run("update", "upstream", "app", "--file", file("moved.yaml", APP_MOVED),
                "--cas", index.group(1));

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("upstream app was changed in Consul since it was read at ModifyIndex "
                + index.group(1) + " (hecate/upstreams/app); nothing was written");
        assertThat(consul.get("hecate/upstreams/app")).isEqualTo("targets: [\"10.0.0.8:8080\"]\n");
        assertThat(hecate.audit("hecate/")).hasSize(1);
    }

    @Test
    void aCheckAndSetOnAStaleIndexRollsBackTheWholeTransaction() throws IOException {
        consul.put("hecate/upstreams/app", APP);
        try (ConsulConnection connection = ConsulConnection.open(ConsulSettings.of(URI.create(consul.address())))) {
            long stale = consul.index() - 1;
            Transaction transaction = new Transaction()
                    .cas("hecate/upstreams/app", APP_MOVED, stale)
                    .set("hecate/audit/20261127T000000.000Z-00000000", "{}");

            assertThatThrownBy(() -> transaction.commit(connection, "updating hecate/upstreams/app"))
                    .isInstanceOf(Transaction.RolledBack.class)
                    .satisfies(e -> assertThat(((Transaction.RolledBack) e).failures())
                            .singleElement()
                            .satisfies(failure -> {
                                assertThat(failure.operation()).isZero();
                                assertThat(failure.key()).isEqualTo("hecate/upstreams/app");
                            }));
        }
        assertThat(consul.kv("hecate/")).containsExactly(Map.entry("hecate/upstreams/app", APP));
    }

    @Test
    void deletingAnUpstreamARouteUsesIsRefused() {
        consul.put("hecate/upstreams/app", APP);
        consul.put("hecate/routes/api", API);
        Map<String, String> before = hecate.everything();

        Cli refused = hecate.run("delete", "upstream", "app");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("upstream app is still used by route api; nothing was deleted");
        assertThat(hecate.everything()).isEqualTo(before);
    }

    @Test
    void readingWhatIsNotThereSaysWhereItLooked() {
        Cli missing = hecate.run("read", "route", "api", "--prefix", "edge");

        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("there is no route api in Consul (edge/routes/api); hecate list routes"
                + " shows what there is\n");
    }

    @Test
    void anUnreachableConsulIsReportedWithWhatToCheck() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }

        Cli failed = Cli.execute("list", "routes", "--consul", "http://127.0.0.1:" + closed);

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.errLines()).hasSize(2);
        assertThat(failed.errLines().get(0)).startsWith("Consul at http://127.0.0.1:" + closed
                + " is unreachable (reading hecate/routes/)");
        assertThat(failed.errLines().get(1)).isEqualTo("Check that Consul is running and that --consul (or"
                + " CONSUL_HTTP_ADDR) points at its HTTP API.");
    }

    @Test
    void aRefusedTokenIsReportedWithWhatToCheck() throws IOException {
        consul.requireToken("the-right-one");

        Cli refused = hecate.run("create", "upstream", "app", "--file", file("app.yaml", APP),
                "--token-file", file("token", "a-wrong-one\n"));

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.errLines().get(0)).startsWith("Consul at " + consul.address()
                + " refused the ACL token (reading hecate/routes/): 403");
        assertThat(refused.errLines().get(1)).startsWith("Check the ACL token (CONSUL_HTTP_TOKEN or --token-file");
        assertThat(consul.requests()).allMatch(request -> "a-wrong-one".equals(request.token()));
        assertThat(consul.kv("")).isEmpty();
    }

    @Test
    void settingsComeFromAConfigurationFilesConsulSection() throws IOException {
        consul.put("edge/upstreams/app", APP);
        String config = file("hecate.yaml", "consul:\n  address: " + consul.address() + "\n  prefix: edge\n");

        Cli listed = Cli.execute("list", "upstreams", "-c", config);
        Cli conflicting = Cli.execute("list", "upstreams", "-c", config, "--consul", consul.address());

        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(listed.out()).isEqualTo("app  10.0.0.5:8080\n");
        assertThat(conflicting.exitCode()).isEqualTo(Exit.USAGE);
        assertThat(conflicting.err()).startsWith("-c/--config takes Consul's address");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(hecate.run("read", "route", "a/b").exitCode()).isEqualTo(Exit.USAGE);
        assertThat(hecate.run("read", "service", "api").exitCode()).isEqualTo(Exit.USAGE);
        assertThat(hecate.run("create", "route", "api").exitCode()).isEqualTo(Exit.USAGE);
        assertThat(hecate.anyTransaction()).isFalse();
    }

    private String file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text).toString();
    }
}
