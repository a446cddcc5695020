package io.hecate.core.proxy;

import io.hecate.core.Hecate;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.HeaderRules;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.config.YamlConfigFile;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Reloads under load drop nothing, are atomic per request, and an invalid config changes nothing. */
class HotReloadTest {

    private static final int CLIENTS = 8;
    private static final int RELOADS = 20;
    private static final int MAX_REQUESTS_PER_CLIENT = 2000;
    private static final Duration MAX_LOAD_TIME = Duration.ofSeconds(15);
    private static final String VERSION_HEADER = "X-Config-Version";

    @TempDir
    Path dir;

    @AutoClose
    private TestBackend backendA;
    @AutoClose
    private TestBackend backendB;
    @AutoClose
    private ProxyFixture proxy;

    /**
     * Version {@code v} sends route {@code app} to backend a (even v) or b (odd v) and stamps its
     * number on every response, so each response says which configuration served it.
     */
    private ProxyConfig version(int v) {
        TestBackend target = v % 2 == 0 ? backendA : backendB;
        HeaderRules stamp = new HeaderRules(Map.of(), Map.of(VERSION_HEADER, Integer.toString(v)), List.of());
        ProxyAction action = new ProxyAction("app", null, null, null, Duration.ofSeconds(5), HeaderRules.NONE, stamp);
        return ProxyFixture.baseConfig()
                .upstream("app", UpstreamConfig.of(target.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), action))
                .build();
    }

    @Test
    void twentyReloadsUnderLoadFromEightClientsFailNoRequestAndAnInvalidConfigChangesNothing() throws Exception {
        backendA = TestBackend.start("a");
        backendB = TestBackend.start("b");
        proxy = ProxyFixture.start(version(0));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger sawLastVersion = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        long deadline = System.nanoTime() + MAX_LOAD_TIME.toNanos();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(() -> runClient(client, stop, deadline, completed, sawLastVersion, failures),
                    "load-" + c);
            thread.setDaemon(true);
            clients.add(thread);
            thread.start();
        }

        try {
            for (int v = 1; v <= RELOADS; v++) {
                int target = completed.get() + 100;
                await("100 more requests before reload " + v).atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(5)).until(() -> completed.get() >= target || stop.get());
                proxy.proxy().apply(version(v));
            }
            int target = completed.get() + 400;
            await("requests after the last reload").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5)).until(() -> completed.get() >= target);
        } finally {
            stop.set(true);
            for (Thread thread : clients) {
                thread.join(TimeUnit.SECONDS.toMillis(20));
            }
        }

        assertThat(failures).as("failed requests (of %d)", completed.get()).isEmpty();
        assertThat(sawLastVersion.get()).as("responses served by the last version").isPositive();
        assertThat(backendA.requestCount()).isPositive();
        assertThat(backendB.requestCount()).isPositive();

        ProxyConfig invalid = ProxyFixture.baseConfig()
                .upstream("app", UpstreamConfig.of(backendA.address()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("missing")))
                .build();
        assertThatThrownBy(() -> proxy.proxy().apply(invalid))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing");

        try (RawClient client = proxy.raw()) {
            RawResponse response = post(client, "after-invalid");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("after-invalid");
            assertThat(response.header(VERSION_HEADER)).isEqualTo(Integer.toString(RELOADS));
        }
    }

    /**
     * One client: keep-alive requests with a unique body each, a new connection every 50 requests.
     * A response must be 200, echo its own body, come from the backend of the version it is stamped
     * with (never a mix of two versions) and never from an older version than the previous response.
     */
    private void runClient(int client, AtomicBoolean stop, long deadline, AtomicInteger completed,
                           AtomicInteger sawLastVersion, ConcurrentLinkedQueue<String> failures) {
        int lastVersion = -1;
        RawClient connection = null;
        try {
            for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && !stop.get() && System.nanoTime() < deadline; i++) {
                if (connection == null || i % 50 == 0) {
                    if (connection != null) {
                        connection.close();
                    }
                    connection = proxy.raw();
                }
                String body = "client-" + client + "-request-" + i;
                RawResponse response = post(connection, body);
                String stamp = response.header(VERSION_HEADER);
                if (response.status() != 200 || !body.equals(response.bodyText()) || stamp == null) {
                    failures.add(body + ": " + response);
                    connection.close();
                    connection = null;
                    continue;
                }
                int version = Integer.parseInt(stamp);
                String expectedBackend = version % 2 == 0 ? "a" : "b";
                if (!expectedBackend.equals(response.header("X-Backend"))) {
                    failures.add(body + ": version " + version + " answered by backend " + response.header("X-Backend"));
                }
                if (version < lastVersion) {
                    failures.add(body + ": version went back from " + lastVersion + " to " + version);
                }
                if (version == RELOADS) {
                    sawLastVersion.incrementAndGet();
                }
                lastVersion = version;
                completed.incrementAndGet();
            }
        } catch (Exception e) {
            failures.add("client " + client + " failed: " + e);
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    private static RawResponse post(RawClient client, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        client.send("POST /echo HTTP/1.1\r\nHost: reload.test\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body);
        return client.readResponse();
    }

    @Test
    void yamlFileEditsAreAppliedAndAnInvalidEditKeepsTheOldRoutesAndIsReported() throws Exception {
        backendA = TestBackend.start("a");
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, yaml(false, false));
        proxy = ProxyFixture.start(Hecate.builder().source(new YamlConfigFile(file)));

        assertThat(proxy.get("/first/x").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/second/x").statusCode()).isEqualTo(404);

        Files.writeString(file, yaml(true, false));
        await("the new route answers").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> proxy.get("/second/x").statusCode() == 200);
        assertThat(new String(proxy.get("/second/x").body(), StandardCharsets.UTF_8)).isEqualTo("ok /second/x");
        assertThat(lastError(proxy.admin("/config").body())).isNull();

        Files.writeString(file, yaml(true, true));
        await("GET /config reports the rejected edit").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> lastError(proxy.admin("/config").body()) != null);
        HttpResponse<String> config = proxy.admin("/config");
        assertThat(lastError(config.body())).contains("no upstream named").contains("nope");
        assertThat(proxy.metricOrZero("hecate_config_reloads_total", "result", "rejected")).isEqualTo(1);
        assertThat(proxy.metricOrZero("hecate_config_version")).isEqualTo(2);
        assertThat(proxy.get("/first/x").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/second/x").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/third/x").statusCode()).isEqualTo(404);
    }

    /** {@code status.last_error} of GET /config: null when JSON null, else the (still escaped) string. */
    private static String lastError(String configJson) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\"last_error\"\\s*:\\s*(null|\"((?:[^\"\\\\]|\\\\.)*)\")").matcher(configJson);
        assertThat(m.find()).as("GET /config has status.last_error: %s", configJson).isTrue();
        return m.group(2);
    }

    private String yaml(boolean withSecond, boolean withInvalidThird) {
        StringBuilder text = new StringBuilder()
                .append("listen:\n  http: \"127.0.0.1:0\"\n")
                .append("admin:\n  listen: \"127.0.0.1:0\"\n")
                .append("access_log:\n  output: \"off\"\n")
                .append("upstreams:\n  app:\n    targets: [\"").append(backendA.address()).append("\"]\n")
                .append("routes:\n")
                .append("  - id: first\n    match: { path_prefix: \"/first/\" }\n    proxy: { upstream: app }\n");
        if (withSecond) {
            text.append("  - id: second\n    match: { path_prefix: \"/second/\" }\n    proxy: { upstream: app }\n");
        }
        if (withInvalidThird) {
            text.append("  - id: third\n    match: { path_prefix: \"/third/\" }\n    proxy: { upstream: nope }\n");
        }
        return text.toString();
    }
}
