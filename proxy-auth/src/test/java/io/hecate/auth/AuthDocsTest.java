package io.hecate.auth;

import io.hecate.auth.testing.AuthentikOutpostDouble;
import io.hecate.core.Hecate;
import io.hecate.core.config.YamlConfigFile;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps docs/auth.md honest: every YAML block on it is a valid configuration, and the main one works. */
class AuthDocsTest {

    private static final Path DOC = Path.of("..", "docs", "auth.md");
    private static final Pattern YAML = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    private static List<String> yamlBlocks() throws Exception {
        Matcher m = YAML.matcher(Files.readString(DOC));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** A whole configuration from the page, made local: loopback, ephemeral port, no admin API. */
    private static String local(String config) {
        return config.replace("\"0.0.0.0:80\"", "\"127.0.0.1:0\"") + "admin: { listen: \"off\" }\naccess_log: { output: \"off\" }\n";
    }

    /** A {@code filters:} fragment from the page, put on a route of an otherwise minimal configuration. */
    private static String wrapped(String fragment) {
        return "listen: { http: \"127.0.0.1:0\" }\nadmin: { listen: \"off\" }\naccess_log: { output: \"off\" }\n"
                + "upstreams: { app: { targets: [\"127.0.0.1:9\"] } }\nroutes:\n  - id: app\n    proxy: { upstream: app }\n"
                + fragment.indent(4);
    }

    private Hecate start(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "hecate", ".yaml");
        Files.writeString(file, yaml);
        AuthMetrics metrics = new AuthMetrics();
        return Hecate.builder()
                .filter(new ForwardAuthFilterFactory(metrics)).filter(new AuthentikFilterFactory(metrics))
                .filter(new BasicAuthFilterFactory(metrics)).filter(new IpFilterFactory(metrics))
                .source(new YamlConfigFile(file)).workerThreads(1).start();
    }

    @Test
    void everyYamlBlockIsAValidConfiguration() throws Exception {
        List<String> blocks = yamlBlocks();
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(5);
        for (String block : blocks) {
            String yaml = block.startsWith("# Hecate:") ? local(block) : wrapped(block);
            try (Hecate ignored = start(yaml)) {
                // it started: the configuration and every filter's settings were accepted
            } catch (Exception e) {
                throw new AssertionError("docs/auth.md block does not start:\n" + block, e);
            }
        }
    }

    @Test
    void theStepByStepConfigurationProtectsTheSite() throws Exception {
        String main = yamlBlocks().get(0);
        assertThat(main).startsWith("# Hecate: conf/hecate.yaml");
        try (AuthentikOutpostDouble outpost = AuthentikOutpostDouble.start(); TestBackend backend = TestBackend.start()) {
            String yaml = local(main).replace("http://authentik-server:9000", outpost.url())
                    .replace("127.0.0.1:1234", backend.address());
            try (Hecate hecate = start(yaml); RawClient client = RawClient.connect(hecate.httpAddress())) {
                client.send("GET /inbox?page=2 HTTP/1.1\r\nHost: app.company\r\n\r\n");
                RawResponse signedOut = client.readResponse();
                assertThat(signedOut.status()).isEqualTo(302);
                assertThat(signedOut.header("Location"))
                        .isEqualTo("/outpost.goauthentik.io/start?rd=http%3A%2F%2Fapp.company%2Finbox%3Fpage%3D2");

                client.send("GET /inbox HTTP/1.1\r\nHost: app.company\r\nCookie: " + outpost.signIn(
                        AuthentikOutpostDouble.DEFAULT_USER) + "\r\n\r\n");
                assertThat(client.readResponse().status()).isEqualTo(200);
                assertThat(backend.lastRecorded().header("X-authentik-username")).isEqualTo("akadmin");
            }
        }
    }
}
