package io.hecate.core.observability;

import io.hecate.core.Hecate;
import io.hecate.core.config.YamlConfigFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class AdminApiTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;
    private Path file;
    private Hecate proxy;
    private URI admin;
    private URI http;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("hecate.yaml");
        write("""
                listen: { http: "127.0.0.1:0" }
                admin: { listen: "127.0.0.1:0" }
                access_log: { output: off }
                routes:
                  - id: hello
                    match: { path: "/" }
                    respond: { status: 200, body: "one" }
                  - id: guarded
                    match: { path_prefix: "/guarded" }
                    respond: { status: 204 }
                    filters:
                      - { type: tagger, api_token: "s3cret", nested: { password: "hidden", visible: 7 } }
                """);
        proxy = Hecate.builder().source(new YamlConfigFile(file))
                .filter(new io.hecate.core.filter.RouteFilterFactory() {
                    @Override
                    public String type() {
                        return "tagger";
                    }

                    @Override
                    public io.hecate.core.filter.RouteFilter create(io.hecate.core.config.FilterConfig config) {
                        return (exchange, chain) -> chain.proceed();
                    }
                })
                .metrics(out -> out.append("# HELP hecate_test_extra A module's own series.\n")
                        .append("# TYPE hecate_test_extra counter\nhecate_test_extra 7\n"))
                .start();
        admin = URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort());
        http = URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort());
    }

    @AfterEach
    void stop() {
        proxy.stop(Duration.ofSeconds(1));
    }

    @Test
    void healthReadyRoutesAndUnknownEndpoints() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> routes = get("/routes");
        assertThat(routes.statusCode()).isEqualTo(200);
        assertThat(routes.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(routes.body()).contains("\"id\" : \"hello\"", "\"id\" : \"guarded\"");
        assertThat(get("/metrics").body()).as("a module's series follow Hecate's own")
                .contains("hecate_requests_total").endsWith("hecate_test_extra 7\n");
        HttpResponse<String> unknown = get("/nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("/metrics");
        assertThat(client.send(HttpRequest.newBuilder(admin.resolve("/reload")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }

    @Test
    void configShowsTheActiveConfigWithSecretsRedacted() throws Exception {
        String config = get("/config").body();
        assertThat(config).contains("\"version\" : 1", "\"source\" : \"" + file + "\"", "\"last_error\" : null");
        assertThat(config).contains("\"api_token\" : \"<redacted>\"", "\"password\" : \"<redacted>\"", "\"visible\" : 7");
        assertThat(config).doesNotContain("s3cret", "hidden");
    }

    @Test
    void reloadAppliesAValidFileAndRejectsAnInvalidOneKeepingTheOldRoutes() throws Exception {
        String good = Files.readString(file).replace("body: \"one\"", "body: \"two\"");
        write(good);
        HttpResponse<String> applied = post("/reload");
        assertThat(applied.statusCode()).isEqualTo(200);
        assertThat(applied.body()).contains("applied configuration version");
        assertThat(client.send(HttpRequest.newBuilder(http.resolve("/")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .isEqualTo("two");

        write(good.replace("status: 200", "status: 2000"));
        HttpResponse<String> rejected = post("/reload");
        assertThat(rejected.statusCode()).isEqualTo(422);
        assertThat(rejected.body()).contains("rejected, still serving version", file + ":", "routes[0].respond.status");
        assertThat(client.send(HttpRequest.newBuilder(http.resolve("/")).build(), HttpResponse.BodyHandlers.ofString()).body())
                .isEqualTo("two");
        assertThat(get("/config").body()).contains("routes[0].respond.status");
        assertThat(get("/metrics").body()).contains("hecate_config_reloads_total{result=\"rejected\"} ");
    }

    private void write(String yaml) throws Exception {
        Path temp = dir.resolve("next.yaml");
        Files.writeString(temp, yaml);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(admin.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(admin.resolve(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
