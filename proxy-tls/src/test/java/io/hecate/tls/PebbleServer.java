package io.hecate.tls;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Let's Encrypt's test ACME server, {@code pebble} (Debian package {@code pebble}), with
 * {@code pebble-challtestsrv} as its DNS server answering 127.0.0.1 for every name, both on free
 * loopback ports. Pebble's own HTTPS certificate is issued by a CA the test makes; its nonce
 * rejection stays on. Public, in proxy-tls's test-jar, for other modules' tests.
 */
public final class PebbleServer implements AutoCloseable {

    final int acmePort;
    final int managementPort;
    final int dnsPort;
    /** pebble-challtestsrv's management port, where DNS-01 records are set ({@link ChallTestSrvDns}). */
    public final int challtestPort;
    final X509Bundle httpsCa;
    private final Path dir;
    private final Process challtestsrv;
    private final ProcessBuilder pebbleBuilder;
    private Process pebble;

    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/pebble")) && Files.isExecutable(Path.of("/usr/bin/pebble-challtestsrv"));
    }

    /** Four distinct free loopback ports, all held open while chosen so none is handed out twice. */
    public static int[] freePorts() {
        ServerSocket[] sockets = new ServerSocket[4];
        try {
            int[] ports = new int[sockets.length];
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // freed either way
                    }
                }
            }
        }
    }

    /** Where pebble's ACME directory will be, for ports from {@link #freePorts()}. */
    public static URI directory(int[] ports) {
        return URI.create("https://127.0.0.1:" + ports[0] + "/dir");
    }

    /**
     * @param ports    from {@link #freePorts()}: ACME, management, DNS, challtestsrv management
     * @param httpPort where pebble validates HTTP-01 (Hecate's HTTP listener)
     * @param tlsPort  where pebble validates TLS-ALPN-01 (Hecate's HTTPS listener)
     * @param httpsCa  the CA that signs pebble's own HTTPS certificate (the ACME client must trust it)
     */
    public PebbleServer(Path dir, int[] ports, int httpPort, int tlsPort, X509Bundle httpsCa) throws Exception {
        this(dir, ports, httpPort, tlsPort, httpsCa, null, null);
    }

    /** With external account binding required, for the one account {@code eabKeyId} with MAC key {@code eabHmacKey}. */
    PebbleServer(Path dir, int[] ports, int httpPort, int tlsPort, X509Bundle httpsCa, String eabKeyId,
                 String eabHmacKey) throws Exception {
        this.dir = dir;
        this.acmePort = ports[0];
        this.managementPort = ports[1];
        this.dnsPort = ports[2];
        this.challtestPort = ports[3];
        this.httpsCa = httpsCa;
        // acme4j connects to 127.0.0.1: the address must be in the certificate.
        X509Bundle https = new CertificateBuilder().ecp256().subject("CN=localhost")
                .addSanDnsName("localhost").addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth()
                .notBefore(Instant.now().minus(Duration.ofHours(1))).notAfter(Instant.now().plus(Duration.ofDays(30)))
                .buildIssuedBy(httpsCa);
        Path cert = Files.writeString(dir.resolve("pebble.crt"), https.getCertificatePathPEM());
        Path key = Files.writeString(dir.resolve("pebble.key"), https.getPrivateKeyPEM());
        Path config = Files.writeString(dir.resolve("pebble.json"), """
                {"pebble": {
                  "listenAddress": "127.0.0.1:%d",
                  "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s",
                  "privateKey": "%s",
                  "httpPort": %d,
                  "tlsPort": %d,
                  "ocspResponderURL": "",
                  "externalAccountBindingRequired": %s,
                  "externalAccountMACKeys": {%s}
                }}
                """.formatted(acmePort, managementPort, cert, key, httpPort, tlsPort, eabKeyId != null,
                eabKeyId == null ? "" : "\"" + eabKeyId + "\": \"" + eabHmacKey + "\""));
        challtestsrv = new ProcessBuilder("pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                "-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "",
                "-management", "127.0.0.1:" + challtestPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("challtestsrv.log").toFile()).start();
        pebbleBuilder = new ProcessBuilder("pebble", "-config", config.toString(),
                "-dnsserver", "127.0.0.1:" + dnsPort)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pebble.log").toFile()));
        // Validate at once instead of after a random pause of up to 15 s; nonce rejection stays at its default.
        pebbleBuilder.environment().put("PEBBLE_VA_NOSLEEP", "1");
        startPebble();
    }

    /** Starts pebble (again: it keeps nothing, so accounts and roots are new) and waits for its directory. */
    void startPebble() throws Exception {
        pebble = pebbleBuilder.start();
        HttpClient client = client();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> client.send(HttpRequest.newBuilder(directory()).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    URI directory() {
        return URI.create("https://127.0.0.1:" + acmePort + "/dir");
    }

    private HttpClient client() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, httpsCa.toTrustManagerFactory().getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A CA for {@link #PebbleServer(Path, int[], int, int, X509Bundle)}'s {@code httpsCa}. */
    public static X509Bundle httpsAuthority() throws Exception {
        return new CertificateBuilder().subject("CN=Pebble HTTPS Test CA").setIsCertificateAuthority(true).ecp256()
                .notBefore(Instant.now().minus(Duration.ofDays(1))).notAfter(Instant.now().plus(Duration.ofDays(30)))
                .buildSelfSigned();
    }

    /** The root that signs what pebble issues (from its management interface; new at every start). */
    public X509Certificate issuingRoot() throws Exception {
        String pem = client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + managementPort + "/roots/0"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** How many orders pebble has accepted (its "Added order" log lines) since it was first started. */
    public long ordersAdded() {
        return log().lines().filter(line -> line.contains("Added order")).count();
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("pebble.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    void stopPebble() throws InterruptedException {
        pebble.destroy();
        pebble.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : List.of(pebble, challtestsrv)) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
