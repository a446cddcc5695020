package io.hecate.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code listen.https} key: optional, an address, never the same as {@code listen.http}. */
class HttpsConfigTest {

    @TempDir
    Path dir;

    @Test
    void readsTheHttpsAddressAndHasNoneByDefault() throws Exception {
        Path file = dir.resolve("https.yaml");
        Files.writeString(file, """
                listen:
                  http: 127.0.0.1:8080
                  https: 127.0.0.1:8443
                """);
        ProxyConfig config = new YamlConfigFile(file).load();
        assertThat(config.listen().https()).isEqualTo(new ListenAddress("127.0.0.1", 8443));
        assertThat(ListenConfig.defaults().https()).isNull();
        assertThat(ListenConfig.defaults().withHttps(new ListenAddress("0.0.0.0", 443)).https().port()).isEqualTo(443);
    }

    @Test
    void rejectsABadAddressAndTheHttpAddressTwice() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                listen:
                  https: nowhere
                """);
        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> new YamlConfigFile(bad).load());
        assertThat(failure.problems()).extracting(ConfigProblem::toString).containsExactly(
                bad + ":2: listen.https: \"nowhere\" is not host:port");

        Path same = dir.resolve("same.yaml");
        Files.writeString(same, """
                listen:
                  http: 127.0.0.1:8080
                  https: 127.0.0.1:8080
                """);
        ConfigException clash = catchThrowableOfType(ConfigException.class, () -> new YamlConfigFile(same).load());
        assertThat(clash.getMessage()).contains("listen.https", "must not use the same address as listen.http");
    }

    @Test
    void aRouteCanBeLimitedToOneScheme() throws Exception {
        Path file = dir.resolve("scheme.yaml");
        Files.writeString(file, """
                listen: { http: 127.0.0.1:8080, https: 127.0.0.1:8443 }
                upstreams:
                  api: { targets: ["127.0.0.1:3000"] }
                routes:
                  - id: to-https
                    match: { scheme: http }
                    redirect: { status: 308, location: "https://{host}{uri}" }
                  - id: api
                    match: { host: api.example.com, scheme: https }
                    proxy: { upstream: api }
                """);
        ProxyConfig config = new YamlConfigFile(file).load();
        assertThat(config.routes().get(0).match().scheme()).isEqualTo("http");
        assertThat(config.routes().get(1).match().scheme()).isEqualTo("https");

        Path bad = dir.resolve("bad-scheme.yaml");
        Files.writeString(bad, """
                routes:
                  - id: odd
                    match: { scheme: ftp }
                    respond: { body: "no" }
                """);
        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> new YamlConfigFile(bad).load());
        assertThat(failure.getMessage()).contains("routes[0].match.scheme", "expected http or https, got \"ftp\"");
    }
}
