package io.hecate.tls;

import io.hecate.core.Hecate;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestPki;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * testssl.sh (Debian package {@code testssl.sh}) against the HTTPS listener: no SSLv2, SSLv3,
 * TLS 1.0 or 1.1; TLS 1.2 and 1.3 offered; no NULL, export, RC4, 3DES or other weak cipher group.
 */
class TestsslCheckTest {

    @TempDir
    Path dir;
    private ProxyFixture proxy;
    private HecateTls tls;

    @AfterEach
    void tearDown() {
        if (proxy != null) {
            proxy.close();
        }
        if (tls != null) {
            tls.close();
        }
    }

    @Test
    void protocolsAndCipherGroupsPassTestssl() throws Exception {
        assertThat(Files.isExecutable(Path.of("/usr/bin/testssl"))).as("testssl.sh installed (.ci/run installs it)")
                .isTrue();
        TestPki pki = TestPki.create();
        X509Bundle site = pki.ecdsa("site.test");
        Path cert = Files.writeString(dir.resolve("site.crt"), StaticCertificatesTest.chainPem(site));
        Path key = Files.writeString(dir.resolve("site.key"), StaticCertificatesTest.keyPem(site));
        tls = HecateTls.start(TlsSettings.of(new TlsSettings.CertificateFiles(cert, key)));
        ProxyConfig config = ProxyFixture.baseConfig()
                .listen(io.hecate.core.config.ListenConfig.on(new ListenAddress("127.0.0.1", 0))
                        .withHttps(new ListenAddress("127.0.0.1", 0)))
                .route(RouteConfig.of("hello", MatchConfig.any(), new RespondAction(200, "hello\n", Map.of())))
                .build();
        proxy = ProxyFixture.start(Hecate.builder().config(config).tls(tls));
        int port = proxy.proxy().httpsAddress().getPort();

        Path json = dir.resolve("testssl.json");
        Process process = new ProcessBuilder("testssl", "--quiet", "--color", "0", "--warnings", "off",
                "--protocols", "--std", "--jsonfile", json.toString(), "127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("testssl.out").toFile()).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("testssl.sh finished").isTrue();
        String report = Files.readString(json, StandardCharsets.UTF_8);
        String out = Files.readString(dir.resolve("testssl.out"));

        assertThat(finding(report, "SSLv2")).as(out).contains("not offered");
        assertThat(finding(report, "SSLv3")).as(out).contains("not offered");
        assertThat(finding(report, "TLS1")).as(out).contains("not offered");
        assertThat(finding(report, "TLS1_1")).as(out).contains("not offered");
        assertThat(finding(report, "TLS1_2")).as(out).contains("offered").doesNotContain("not offered");
        assertThat(finding(report, "TLS1_3")).as(out).contains("offered").doesNotContain("not offered");
        for (String weak : new String[] {"cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW",
                "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"}) {
            assertThat(finding(report, weak)).as(weak + "\n" + out).contains("not offered");
        }
    }

    /** The "finding" of the entry with this id in testssl.sh's JSON file (flat list of objects). */
    private static String finding(String report, String id) {
        java.util.regex.Matcher entry = java.util.regex.Pattern.compile(
                "\"id\"\\s*:\\s*\"" + java.util.regex.Pattern.quote(id) + "\"[^}]*?\"finding\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(report);
        assertThat(entry.find()).as("testssl.sh reported %s", id).isTrue();
        return entry.group(1);
    }
}
