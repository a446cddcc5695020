package io.hecate.agent.consul;

import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ConfigProblem;
import io.hecate.core.config.YamlConfigFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsulSettingsTest {

    private static final ConsulSettings.RegisterDefaults NODE = new ConsulSettings.RegisterDefaults("n1", "10.0.0.1",
            8080);

    @TempDir
    Path dir;

    @Test
    void theFullExampleReadsEveryKey() throws Exception {
        Object section = new YamlConfigFile(Path.of("..", "conf", "examples", "full.yaml")).load().extension("consul");

        ConsulSettings settings = ConsulSettings.from(section, Map.of("CONSUL_HTTP_TOKEN", "t0ken"), NODE);

        assertThat(settings.address()).isEqualTo(URI.create("http://127.0.0.1:8500"));
        assertThat(settings.token()).isEqualTo("t0ken");
        assertThat(settings.datacenter()).isEqualTo("dc1");
        assertThat(settings.prefix()).isEqualTo("hecate/");
        assertThat(settings.kv()).isTrue();
        assertThat(settings.catalog().health()).containsExactly("passing");
        assertThat(settings.blockingWait()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.allowEmpty()).isFalse();
        assertThat(settings.register()).isEqualTo(new ConsulSettings.Register("hecate", "hecate-n1-8080", "10.0.0.1",
                8080, List.of("edge"), Duration.ofSeconds(10), Duration.ofMinutes(10)));
        assertThat(settings.certificates()).isNull();
        assertThat(settings.cacheFile()).isEqualTo(Path.of("/var/lib/hecate/consul-cache.json"));
    }

    @Test
    void defaultsNeedNothingButTheSection() throws ConfigException {
        ConsulSettings settings = ConsulSettings.from(Map.of(), Map.of(), NODE);

        assertThat(settings.address()).isEqualTo(ConsulSettings.DEFAULT_ADDRESS);
        assertThat(settings.token()).isNull();
        assertThat(settings.catalog().health()).isEqualTo(Set.of("passing"));
        assertThat(settings.register()).isNull();
        assertThat(settings.prefix()).isEqualTo("hecate/");
    }

    @Test
    void secretsComeFromFilesOrTheEnvironmentNeverTheConfiguration() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "from-file\n");
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        ConsulSettings settings = ConsulSettings.from(Map.of("token_file", token.toString(), "prefix", "/edge",
                "certificates", Map.of("key_env", "CERT_KEY")), Map.of("CERT_KEY", key), NODE);

        assertThat(settings.token()).isEqualTo("from-file");
        assertThat(settings.prefix()).isEqualTo("edge/");
        assertThat(settings.certificates().encryptionKey()).hasSize(32);
    }

    @Test
    void everyMistakeIsNamedByItsKey() {
        Map<String, Object> section = Map.of(
                "adress", "x",
                "address", "ftp://consul",
                "token_env", "MISSING_TOKEN",
                "catalog", Map.of("health", List.of("critical")),
                "wait", "11m",
                "allow_empty", "perhaps",
                "tls", Map.of("cert_file", "/c.pem"),
                "register", Map.of("port", "eighty"),
                "certificates", Map.of("key_env", "SHORT_KEY"));

        assertThatThrownBy(() -> ConsulSettings.from(section,
                Map.of("SHORT_KEY", Base64.getEncoder().encodeToString(new byte[16])), NODE))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::path)
                        .containsExactlyInAnyOrder("consul.adress", "consul.address", "consul.token_env",
                                "consul.catalog.health", "consul.catalog.health", "consul.wait", "consul.allow_empty",
                                "consul.tls", "consul.register.port", "consul.certificates.key_env"));
    }
}
