package com.example.gateway;

import com.sun.net.httpserver.HttpServer;
import io.hecate.core.Hecate;
import io.hecate.core.config.AdminConfig;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keeps docs/embedding.md honest: its code is these classes, and they work as it says. */
class EmbeddingExampleTest {

    private static final Path DOC = Path.of("..", "docs", "embedding.md");
    private static final Path EXAMPLES = Path.of("src", "test", "java", "com", "example", "gateway");
    private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private HttpServer backend;
    private String backendAddress;

    /** Says which path it was asked for, so strip_prefix can be seen. */
    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        backend.createContext("/", exchange -> {
            byte[] body = ("backend saw " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();
        backendAddress = "127.0.0.1:" + backend.getAddress().getPort();
    }

    @AfterEach
    void stopBackend() {
        backend.stop(0);
    }

    @Test
    void gatewayProxiesAnswersAppliesAndCloses() throws Exception {
        InetSocketAddress address;
        try (Gateway gateway = new Gateway("127.0.0.1:0", backendAddress)) {
            address = gateway.address();
            assertThat(get(address, "/api/users").body()).isEqualTo("backend saw /users");
            assertThat(get(address, "/").body()).isEqualTo("Hello from Hecate\n");

            gateway.greet("Hello again\n");

            assertThat(get(address, "/").body()).isEqualTo("Hello again\n");
        }
        assertThatThrownBy(() -> get(address, "/")).isInstanceOf(IOException.class);
    }

    @Test
    void yamlGatewayServesTheDocumentedFileWithItsFilter() throws Exception {
        String yaml = block("yaml");
        assertThat(yaml).contains("\"127.0.0.1:8080\"", "\"127.0.0.1:9901\"", "\"127.0.0.1:3000\"");
        Path file = Files.writeString(dir.resolve("gateway.yaml"), yaml
                .replace("\"127.0.0.1:8080\"", "\"127.0.0.1:0\"")
                .replace("\"127.0.0.1:9901\"", "off")
                .replace("\"127.0.0.1:3000\"", "\"" + backendAddress + "\""));

        try (Hecate proxy = YamlGateway.start(file)) {
            InetSocketAddress address = proxy.httpAddress();
            HttpResponse<String> refused = get(address, "/api/users");
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("ApiKey header=\"X-Api-Key\"");
            assertThat(get(address, "/api/users", "X-Api-Key", "wrong").statusCode()).isEqualTo(401);
            HttpResponse<String> allowed = get(address, "/api/users", "X-Api-Key", "change-me");
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).isEqualTo("backend saw /users");
            assertThat(get(address, "/").body()).isEqualTo("Hello from Hecate\n");
        }
    }

    @Test
    void filterOnARouteBuiltInCode() throws Exception {
        ProxyConfig config = ProxyConfig.builder()
                .listen("127.0.0.1:0")
                .admin(AdminConfig.disabled())
                .upstream("app", UpstreamConfig.of(backendAddress))
                .route(SecuredApiRoute.of("s3cret"))
                .build();

        try (Hecate proxy = Hecate.builder().filter(new ApiKeyFilterFactory()).config(config).start()) {
            assertThat(get(proxy.httpAddress(), "/api/x").statusCode()).isEqualTo(401);
            assertThat(get(proxy.httpAddress(), "/api/x", "X-Api-Key", "s3cret").body()).isEqualTo("backend saw /x");
        }
    }

    @Test
    void factoryRejectsAFilterWithoutKey() {
        ProxyConfig config = ProxyConfig.builder()
                .listen("127.0.0.1:0")
                .admin(AdminConfig.disabled())
                .upstream("app", UpstreamConfig.of(backendAddress))
                .route(new RouteConfig("api", MatchConfig.prefix("/api/"), ProxyAction.to("app"),
                        List.of(new FilterConfig("api_key", Map.of()))))
                .build();

        assertThatThrownBy(() -> Hecate.builder().filter(new ApiKeyFilterFactory()).config(config).start())
                .isInstanceOf(ConfigException.class)
                .hasMessage("routes[0].filters[0]: key: required, the API key clients must send");
    }

    @Test
    void everyJavaBlockOfTheDocIsExampleCodeVerbatim() throws IOException {
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path file : files.filter(f -> !f.equals(EXAMPLES.resolve("EmbeddingExampleTest.java"))).toList()) {
                sources.add(stripped(Files.readString(file)));
            }
        }
        List<String> blocks = blocks("java");
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(5);
        for (String block : blocks) {
            List<String> lines = stripped(block);
            assertThat(sources).as("a file of %s containing:%n%s", EXAMPLES, block)
                    .anyMatch(source -> Collections.indexOfSubList(source, lines) >= 0);
        }
    }

    /** Indentation aside: the doc may show a method without its class around it. */
    private static List<String> stripped(String text) {
        return text.lines().map(String::strip).toList();
    }

    private static List<String> blocks(String language) throws IOException {
        Matcher matcher = BLOCK.matcher(Files.readString(DOC));
        List<String> found = new ArrayList<>();
        while (matcher.find()) {
            if (matcher.group(1).equals(language)) {
                found.add(matcher.group(2));
            }
        }
        return found;
    }

    private static String block(String language) throws IOException {
        List<String> found = blocks(language);
        assertThat(found).as("%s blocks in %s", language, DOC).hasSize(1);
        return found.get(0);
    }

    private HttpResponse<String> get(InetSocketAddress address, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
