package io.hecate.agent.consul;

import io.hecate.core.Hecate;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.YamlConfigFile;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One node of a test cluster: a Hecate started the way {@code hecate run} starts it, from a
 * configuration file with a {@code consul} section, through {@link ConsulAgent}.
 */
final class ConsulNode implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Hecate hecate;
    private final ConsulAgent agent;

    private ConsulNode(Hecate hecate, ConsulAgent agent) {
        this.hecate = hecate;
        this.agent = agent;
    }

    /** @param consulSection the lines of the {@code consul} section, indented by two spaces */
    static ConsulNode start(Path dir, String name, String consulSection) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                listen:
                  http: "127.0.0.1:0"
                admin:
                  listen: "127.0.0.1:0"
                access_log:
                  output: "off"
                drain_timeout: 1s
                routes:
                  - id: from-file
                    match: { path: /file }
                    respond: { status: 200, body: "from the file" }
                consul:
                """ + consulSection);
        YamlConfigFile source = new YamlConfigFile(file);
        Hecate.Builder builder = Hecate.builder().source(source);
        ProxyConfig first = source.load();
        ConsulAgent agent = ConsulAgent.install(builder, source, first);
        Hecate hecate = builder.start();
        agent.started(hecate);
        return new ConsulNode(hecate, agent);
    }

    /** The status code and body of a GET of {@code path}, or status 0 when the request failed. */
    Answer get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + hecate.httpAddress().getPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, e.toString());
        }
    }

    String admin(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hecate.adminAddress().getPort()
                + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    Hecate hecate() {
        return hecate;
    }

    ConsulAgent agent() {
        return agent;
    }

    record Answer(int status, String body) {
    }

    @Override
    public void close() {
        hecate.stop(Duration.ofMillis(200));
        agent.close();
    }
}
