package io.hecate.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The HTTP/2 keys: {@code listen.max_concurrent_streams} and an upstream's {@code protocol}. */
class Http2ConfigTest {

    @TempDir
    Path dir;

    @Test
    void readsBothKeysAndDefaultsThem() throws Exception {
        Path file = dir.resolve("h2.yaml");
        Files.writeString(file, """
                listen:
                  max_concurrent_streams: 64
                upstreams:
                  grpc:
                    targets: ["127.0.0.1:50051"]
                    protocol: H2C
                  web:
                    targets: ["127.0.0.1:3000"]
                """);
        ProxyConfig config = new YamlConfigFile(file).load();
        assertThat(config.listen().maxConcurrentStreams()).isEqualTo(64);
        assertThat(config.upstreams().get("grpc").protocol()).isEqualTo(UpstreamProtocol.H2C);
        assertThat(config.upstreams().get("web").protocol()).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(ListenConfig.defaults().maxConcurrentStreams()).isEqualTo(250);
    }

    @Test
    void rejectsAnUnknownProtocolAndTooFewStreams() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                listen:
                  max_concurrent_streams: 0
                upstreams:
                  app:
                    targets: ["127.0.0.1:3000"]
                    protocol: h2
                """);
        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> new YamlConfigFile(file).load());
        assertThat(failure.problems()).extracting(ConfigProblem::toString).containsExactly(
                file + ":2: listen.max_concurrent_streams: must be at least 1, got 0",
                file + ":6: upstreams.app.protocol: expected http1 or h2c, got \"h2\"");
    }

    @Test
    void theFiveArgumentConstructorAndTheFactoriesStillMeanHttp11() {
        UpstreamConfig upstream = new UpstreamConfig(List.of(TargetConfig.of("a:1")), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1);
        assertThat(upstream.protocol()).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(UpstreamConfig.of("a:1").protocol()).isEqualTo(UpstreamProtocol.HTTP1);
        assertThat(UpstreamConfig.of("a:1").withProtocol(UpstreamProtocol.H2C).protocol()).isEqualTo(UpstreamProtocol.H2C);
        assertThat(new UpstreamConfig(List.of(TargetConfig.of("a:1")), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, null, null, null, null, 0, null).protocol()).isEqualTo(UpstreamProtocol.HTTP1);
    }
}
