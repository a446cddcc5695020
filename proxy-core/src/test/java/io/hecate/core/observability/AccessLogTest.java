package io.hecate.core.observability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.hecate.core.Hecate;
import io.hecate.core.config.AccessLogConfig;
import io.hecate.core.config.AdminConfig;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AccessLogTest {

    private static final JsonFactory JSON = new JsonFactory();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private Hecate start(Path log, int queueSize) throws Exception {
        return Hecate.builder().config(ProxyConfig.builder()
                .listen("127.0.0.1:0")
                .admin(new AdminConfig(new ListenAddress("127.0.0.1", 0)))
                .accessLog(new AccessLogConfig(log.toString(), queueSize))
                .route(RouteConfig.of("hello", MatchConfig.any().withPath("/hello"), RespondAction.of(200, "hi\n")))
                .build()).start();
    }

    @Test
    void writesOneJsonLinePerExchangeWithEveryField() throws Exception {
        Path log = dir.resolve("access.log");
        try (Hecate proxy = start(log, 1024)) {
            URI base = URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort());
            assertThat(get(base.resolve("/hello?x=1")).statusCode()).isEqualTo(200);
            assertThat(get(base.resolve("/missing")).statusCode()).isEqualTo(404);

            await().atMost(Duration.ofSeconds(5)).until(() -> lines(log).size() == 2);
            Map<String, String> ok = parse(lines(log).get(0));
            assertThat(ok).containsEntry("route", "hello").containsEntry("method", "GET")
                    .containsEntry("path", "/hello?x=1").containsEntry("status", "200")
                    .containsEntry("bytes_in", "0").containsEntry("bytes_out", "3")
                    .containsEntry("client", "127.0.0.1").containsKeys("time", "duration_us", "upstream");
            assertThat(ok).doesNotContainKey("error");
            assertThat(Long.parseLong(ok.get("duration_us"))).isGreaterThanOrEqualTo(0);

            Map<String, String> missing = parse(lines(log).get(1));
            assertThat(missing).containsEntry("status", "404").containsEntry("route", null);
            assertThat(missing.get("error")).contains("no route matched");
        }
    }

    /** Lines written plus lines dropped always add up: a full queue drops, it never blocks or loses count. */
    @Test
    void aFullQueueDropsLinesAndCountsThem() throws Exception {
        Path log = dir.resolve("tiny-queue.log");
        int requests = 300;
        try (Hecate proxy = start(log, 1)) {
            URI base = URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort());
            for (int i = 0; i < requests; i++) {
                assertThat(get(base.resolve("/hello")).statusCode()).isEqualTo(200);
            }
            URI metrics = URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + "/metrics");
            await().atMost(Duration.ofSeconds(5)).until(() -> lines(log).size() + dropped(metrics) == requests);
        }
    }

    private long dropped(URI metrics) throws Exception {
        Matcher m = Pattern.compile("(?m)^hecate_access_log_dropped_total (\\d+)$").matcher(get(metrics).body());
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> lines(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    private static Map<String, String> parse(String line) throws IOException {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser parser = JSON.createParser(line)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                fields.put(name, value == JsonToken.VALUE_NULL ? null : parser.getText());
            }
        }
        return fields;
    }
}
