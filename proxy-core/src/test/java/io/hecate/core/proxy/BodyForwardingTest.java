package io.hecate.core.proxy;

import io.hecate.core.testing.CommandLineClient;
import io.hecate.core.testing.Curl;
import io.hecate.core.testing.Pattern;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.RawClient;
import io.hecate.core.testing.RawResponse;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request and response bodies go through the proxy byte for byte, whatever the method, size and
 * framing: fixed-length requests come back fixed-length, chunked requests come back chunked (the
 * echo backend answers in the framing it is asked for).
 */
class BodyForwardingTest {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    private static TestBackend backend;
    private static ProxyFixture proxy;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String method : List.of("GET", "POST", "PUT")) {
            for (int size : new int[] {0, KIB, 10 * MIB}) {
                for (boolean chunked : new boolean[] {false, true}) {
                    cases.add(Arguments.of(method, size, chunked));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} bytes, chunked={2}")
    @MethodSource("cases")
    void bodyRoundTripsByteExact(String method, int size, boolean chunked) throws Exception {
        byte[] body = Pattern.random(size, size * 31L + method.hashCode());
        HttpRequest.BodyPublisher publisher = chunked
                // ofInputStream has no known length, so the JDK client sends Transfer-Encoding: chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/echo" + (chunked ? "?chunked=1" : "")))
                .timeout(Duration.ofSeconds(20))
                .method(method, publisher)
                .build();

        HttpResponse<byte[]> response = ProxyFixture.HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).as(response.headers().map().toString()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Echo-Method")).hasValue(method);
        if (chunked) {
            assertThat(response.headers().firstValue("X-Echo-Transfer-Encoding")).as("framing the backend saw")
                    .hasValue("chunked");
            assertThat(response.headers().firstValue("Transfer-Encoding")).as("framing the client saw")
                    .hasValue("chunked");
        } else if (size > 0) {
            assertThat(response.headers().firstValue("X-Echo-Content-Length")).hasValue(Integer.toString(size));
            assertThat(response.headers().firstValue("Content-Length")).hasValue(Integer.toString(size));
        }
        assertThat(response.body().length).isEqualTo(size);
        assertThat(Pattern.sha256(response.body())).isEqualTo(Pattern.sha256(body));
    }

    /** curl's own chunked encoder (chunk sizes differ from the JDK client's) on a 10 MiB PUT. */
    @Test
    void curlChunkedUploadRoundTripsByteExact() throws Exception {
        assertThat(Curl.available()).as("curl is on PATH (.ci/run installs it)").isTrue();
        byte[] body = Pattern.random(10 * MIB + 17, 42);
        Path in = Files.write(dir.resolve("in.bin"), body);
        Path out = dir.resolve("out.bin");

        CommandLineClient.Result result = Curl.run(dir, "-sS", "--http1.1", "-X", "PUT", "-H", "Transfer-Encoding: chunked",
                "--data-binary", "@" + in, "-o", out.toString(), "-w", "%{http_code}",
                proxy.uri("/echo?chunked=1").toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output().trim()).isEqualTo("200");
        byte[] received = Files.readAllBytes(out);
        assertThat(received.length).isEqualTo(body.length);
        assertThat(Pattern.sha256(received)).isEqualTo(Pattern.sha256(body));
    }

    /** Three requests in one write: answered one after the other, in order, each with its own body. */
    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst"
                    + "GET /bytes?n=3000 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nthird!\r\n0\r\n\r\n");

            RawResponse first = client.readResponse();
            RawResponse second = client.readResponse();
            RawResponse third = client.readResponse();

            assertThat(first.bodyText()).isEqualTo("first");
            assertThat(second.body()).isEqualTo(Pattern.bytes(3000));
            assertThat(third.bodyText()).isEqualTo("third!");
        }
    }

    /**
     * An HTTP/1.0 client cannot read chunked framing: a chunked upstream response reaches it
     * delimited by the close of the connection, byte-exact.
     */
    @Test
    void http10ClientGetsAChunkedUpstreamResponseDelimitedByClose() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("GET /bytes?n=100000&chunked=1 HTTP/1.0\r\nHost: t\r\n\r\n");
            RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.statusLine()).startsWith("HTTP/1.");
            assertThat(response.hasHeader("Transfer-Encoding")).as("no chunked framing for HTTP/1.0").isFalse();
            assertThat(response.body()).isEqualTo(Pattern.bytes(100_000));
        }
    }
}
