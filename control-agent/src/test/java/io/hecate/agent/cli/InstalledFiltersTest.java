package io.hecate.agent.cli;

import io.hecate.core.Hecate;
import io.hecate.core.config.YamlConfigFile;
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

/** {@code hecate run} offers the filter types of every jar on the class path (proxy-auth's among them). */
class InstalledFiltersTest {

    @TempDir
    Path dir;

    @Test
    void aConfigFileCanUseTheAuthFilters() throws Exception {
        Path file = dir.resolve("hecate.yaml");
        Files.writeString(file, """
                listen: { http: "127.0.0.1:0" }
                admin: { listen: "off" }
                access_log: { output: "off" }
                routes:
                  - id: private
                    match: { path_prefix: /private/ }
                    respond: { body: "secret\\n" }
                    filters:
                      - { type: ip, deny: ["127.0.0.0/8"] }
                  - id: app
                    respond: { body: "hello\\n" }
                    filters:
                      - { type: ip, allow: ["127.0.0.1", "::1"] }
                """);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (Hecate hecate = RunCommand.withInstalledFilters(Hecate.builder()).source(new YamlConfigFile(file))
                .workerThreads(1).start()) {
            String base = "http://127.0.0.1:" + hecate.httpAddress().getPort();
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(base + "/private/x"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(403);
            HttpResponse<String> allowed = client.send(HttpRequest.newBuilder(URI.create(base + "/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(allowed.body()).isEqualTo("hello\n");
        }
    }
}
