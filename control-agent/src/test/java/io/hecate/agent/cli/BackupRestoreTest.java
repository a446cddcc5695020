package io.hecate.agent.cli;

import com.google.gson.JsonObject;
import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import io.hecate.core.config.ConfigDocuments;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class BackupRestoreTest {

    /** Documents as operators write them: YAML with comments, JSON, flow and block style, no final newline. */
    private static final Map<String, String> ROUTES = Map.of(
            "api", """
                    # the public API
                    match: { host: app.example.com, path_prefix: /api/ }
                    proxy:
                      upstream: app
                      strip_prefix: /api
                      timeout: 10s
                      retry: { attempts: 3 }
                    """,
            "health", "{\"id\": \"health\", \"match\": {\"path\": \"/healthz\"}, \"respond\": {\"status\": 200, \"body\": \"ok\\n\"}}",
            "old-docs", """
                    version: 1
                    match: { host: docs.example.com }
                    redirect: { status: 301, location: "https://example.com/docs{uri}" }""",
            "search", """
                    match:
                      path_regex: "^/search(/.*)?$"
                      methods: [GET, HEAD]
                    proxy: { upstream: search }
                    """);
    private static final Map<String, String> UPSTREAMS = Map.of(
            "app", "targets: [\"10.0.0.5:8080\", \"10.0.0.6:8080\"]\nbalance: { policy: least_request }\n",
            "search", """
                    targets:
                      - address: 10.0.1.5:9200
                        weight: 3
                    health_check: { path: /_cluster/health, interval: 5s }
                    """);

    @TempDir
    Path dir;

    private ConsulTestDouble consul;
    private ConsulCli hecate;

    @BeforeEach
    void start() throws IOException {
        consul = ConsulTestDouble.start();
        hecate = new ConsulCli(consul);
        ROUTES.forEach((id, text) -> consul.put("hecate/routes/" + id, text));
        UPSTREAMS.forEach((name, text) -> consul.put("hecate/upstreams/" + name, text));
    }

    @AfterEach
    void stop() {
        consul.close();
    }

    @Test
    void aBackupRestoredIntoAnotherPrefixReproducesTheSameRouteTable() throws Exception {
        consul.put("copy/routes/stale", "respond: { status: 410 }\n");
        Path file = dir.resolve("backup.yaml");

        Cli backup = hecate.run("backup", file.toString());
        Cli restore = hecate.run("restore", file.toString(), "--prefix", "copy", "--who", "dave");

        assertThat(backup.exitCode()).as(backup.err()).isZero();
        assertThat(backup.err()).isEmpty();
        assertThat(Files.readString(file)).startsWith("hecate_backup: 1\nprefix: hecate/\ntaken: ");
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        assertThat(restore.out()).startsWith("restored 4 routes and 2 upstreams into copy/ from " + file);
        assertThat(routes("copy/")).isEqualTo(routes("hecate/")).hasSize(4);
        assertThat(upstreams("copy/")).isEqualTo(upstreams("hecate/")).hasSize(2);
        assertThat(texts("copy/")).isEqualTo(texts("hecate/"));
        assertThat(consul.get("copy/routes/stale")).isNull();

        List<JsonObject> audit = hecate.audit("copy/");
        assertThat(audit).hasSize(1);
        JsonObject entry = audit.get(0);
        assertThat(entry.get("who").getAsString()).isEqualTo("dave");
        assertThat(entry.get("action").getAsString()).isEqualTo("restore");
        assertThat(entry.getAsJsonArray("keys")).hasSize(7);
        assertThat(entry.getAsJsonObject("before").keySet()).containsExactly("copy/routes/stale");
        assertThat(entry.getAsJsonObject("after").get("copy/routes/api").getAsString()).isEqualTo(ROUTES.get("api"));
        assertThat(hecate.audit("hecate/")).isEmpty();
    }

    @Test
    void aBackupWrittenToStandardOutputRestoresToo() throws IOException {
        Cli backup = hecate.run("backup");
        Path file = Files.writeString(dir.resolve("piped.yaml"), backup.out());

        Cli restore = hecate.run("restore", file.toString(), "--prefix", "copy/");

        assertThat(restore.exitCode()).as(restore.err()).isZero();
        assertThat(texts("copy/")).isEqualTo(texts("hecate/"));
    }

    @Test
    void aBackupWithAnyProblemChangesNothing() throws IOException {
        Map<String, String> before = hecate.everything();
        Path file = Files.writeString(dir.resolve("broken.yaml"), """
                hecate_backup: 1
                prefix: hecate/
                taken: 2026-11-27T15:43:11.123Z
                routes:
                  api: |
                    match: { path_prefix: /api/ }
                    proxy: { upstream: app }
                  web: |
                    match: { path_prefix: /web/ }
                    proxy:
                      upstream: ghost
                upstreams:
                  app: |
                    targets: ["10.0.0.5:8080"]
                    conect_timeout: 2s
                """);

        Cli refused = hecate.run("restore", file.toString());

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.errLines()).hasSize(3);
        assertThat(refused.errLines().get(0)).startsWith(file + "#routes/web:3: route.proxy.upstream: no upstream named"
                + " \"ghost\"");
        assertThat(refused.errLines().get(1)).startsWith(file + "#upstreams/app:2: upstream.conect_timeout: unknown key");
        assertThat(refused.errLines().get(2)).startsWith("Nothing was written");
        assertThat(hecate.everything()).isEqualTo(before);
        assertThat(hecate.anyTransaction()).isFalse();
    }

    @Test
    void aFileThatIsNoBackupChangesNothing() throws IOException {
        Map<String, String> before = hecate.everything();
        Path file = Files.writeString(dir.resolve("hecate.yaml"), "routes:\n  - id: api\n    respond: {}\n");

        Cli refused = hecate.run("restore", file.toString());

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.errLines()).containsExactly(
                file + ": hecate_backup: is missing: this is not a Hecate backup (hecate backup writes one)",
                "Nothing was changed: " + file + " is not a backup hecate restore can read.");
        assertThat(hecate.everything()).isEqualTo(before);
    }

    @Test
    void aBackupTooBigForOneTransactionIsRefused() throws IOException {
        Map<String, String> before = hecate.everything();

        Cli refused = hecate.run("restore", backupOf(62).toString(), "--prefix", "copy");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("holds 62 documents (61 routes, 1 upstream)",
                "at most 64 operations in one transaction", "so at most 61 documents", "Nothing was changed");
        assertThat(hecate.everything()).isEqualTo(before);
        assertThat(hecate.anyTransaction()).isFalse();
    }

    @Test
    void aBackupOfAsManyDocumentsAsOneTransactionHoldsIsRestored() throws IOException {
        Cli restored = hecate.run("restore", backupOf(61).toString(), "--prefix", "copy");

        assertThat(restored.exitCode()).as(restored.err()).isZero();
        assertThat(consul.kv("copy/routes/")).hasSize(60);
        assertThat(consul.kv("copy/upstreams/")).hasSize(1);
    }

    /** One upstream and routes to it, {@code documents} in all. */
    private Path backupOf(int documents) throws IOException {
        StringBuilder backup = new StringBuilder("hecate_backup: 1\nprefix: big/\ntaken: 2026-11-27T15:43:11Z\n"
                + "upstreams:\n  app: |\n    targets: [\"10.0.0.5:8080\"]\nroutes:\n");
        for (int i = 1; i < documents; i++) {
            backup.append("  r").append(i).append(": |\n    match: { path: /r").append(i)
                    .append(" }\n    proxy: { upstream: app }\n");
        }
        return Files.writeString(dir.resolve("big.yaml"), backup.toString());
    }

    /** The routes under {@code prefix}, read as the runtime reads them. */
    private Map<String, RouteConfig> routes(String prefix) throws ConfigException {
        Map<String, RouteConfig> routes = new LinkedHashMap<>();
        for (Map.Entry<String, String> document : consul.kv(prefix + "routes/").entrySet()) {
            String id = document.getKey().substring((prefix + "routes/").length());
            routes.put(id, ConfigDocuments.route("consul:" + document.getKey(), id, document.getValue()));
        }
        return routes;
    }

    private Map<String, UpstreamConfig> upstreams(String prefix) throws ConfigException {
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        for (Map.Entry<String, String> document : consul.kv(prefix + "upstreams/").entrySet()) {
            upstreams.put(document.getKey().substring((prefix + "upstreams/").length()),
                    ConfigDocuments.upstream("consul:" + document.getKey(), document.getValue()));
        }
        return upstreams;
    }

    /** Every route's and upstream's text, by its key below the prefix. */
    private SortedMap<String, String> texts(String prefix) {
        SortedMap<String, String> texts = new TreeMap<>();
        consul.kv(prefix).forEach((key, text) -> {
            if (!key.startsWith(prefix + "audit/")) {
                texts.put(key.substring(prefix.length()), text);
            }
        });
        return texts;
    }
}
