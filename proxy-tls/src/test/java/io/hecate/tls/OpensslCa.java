package io.hecate.tls;

import java.time.Duration;
import static org.awaitility.Awaitility.await;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and its OCSP responder, both played by the {@code openssl} command-line
 * tool: certificates issued with {@code openssl x509}, the CA database an {@code index.txt}, the
 * responder {@code openssl ocsp} on a loopback port, a process this object owns and kills.
 */
final class OpensslCa implements AutoCloseable {

    private static final DateTimeFormatter INDEX_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;
    final int ocspPort;
    private final List<String> index = new ArrayList<>();
    private Process responder;

    private OpensslCa(Path dir, int ocspPort) {
        this.dir = dir;
        this.ocspPort = ocspPort;
    }

    /** A new CA (EC P-256) in {@code dir}, with a delegated OCSP signing certificate. */
    static OpensslCa create(Path dir) throws Exception {
        OpensslCa ca = new OpensslCa(dir, freePort());
        ca.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Hecate OCSP Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        ca.sign("responder", "/CN=Hecate OCSP Test Responder", "0x0FFF",
                "extendedKeyUsage=OCSPSigning\nkeyUsage=critical,digitalSignature\n");
        return ca;
    }

    /**
     * A server certificate for {@code name}, recorded as valid in the CA database; its Authority
     * Information Access names this CA's responder when {@code withOcspUrl}.
     *
     * @return the full chain (leaf, then the CA) and the key, as Hecate reads them
     */
    TlsSettings.CertificateFiles issue(String name, String serial, boolean withOcspUrl) throws Exception {
        return issue(name, serial, name, withOcspUrl);
    }

    /** Like {@link #issue(String, String, boolean)}, in files named {@code file} (a second certificate for a name). */
    TlsSettings.CertificateFiles issue(String file, String serial, String name, boolean withOcspUrl) throws Exception {
        String extensions = "subjectAltName=DNS:" + name + "\nextendedKeyUsage=serverAuth\n"
                + (withOcspUrl ? "authorityInfoAccess=OCSP;URI:http://127.0.0.1:" + ocspPort + "\n" : "");
        X509Certificate leaf = sign(file, "/CN=" + name, serial, extensions);
        index.add(String.join("\t", "V", INDEX_TIME.format(leaf.getNotAfter().toInstant()), "", hex(leaf),
                "unknown", "/CN=" + name));
        writeIndex();
        Path chain = Files.writeString(dir.resolve(file + ".chain.pem"),
                Files.readString(dir.resolve(file + ".pem")) + Files.readString(dir.resolve("ca.pem")));
        return new TlsSettings.CertificateFiles(chain, dir.resolve(file + ".key"));
    }

    /** Marks the certificate with this serial revoked now in the CA database (as {@code openssl ca -revoke} does). */
    void revoke(String serial) throws IOException {
        String hex = serial.replaceFirst("^0x", "").toUpperCase(java.util.Locale.ROOT);
        index.replaceAll(line -> {
            String[] fields = line.split("\t", -1);
            if (!fields[3].equals(hex)) {
                return line;
            }
            fields[0] = "R";
            fields[2] = INDEX_TIME.format(Instant.now().minusSeconds(60));
            return String.join("\t", fields);
        });
        writeIndex();
    }

    /**
     * Starts {@code openssl ocsp} on {@link #ocspPort}, signing with the delegated responder
     * certificate or with the CA's own key; answers are fresh for {@code minutes}.
     */
    void startResponder(boolean delegated, int minutes) throws Exception {
        startResponder(delegated ? "responder" : "ca", minutes);
    }

    /** Like {@link #startResponder(boolean, int)}, signing with the certificate and key of files {@code signer}. */
    void startResponder(String signer, int minutes) throws Exception {
        stopResponder();
        responder = new ProcessBuilder("openssl", "ocsp", "-index", "index.txt", "-port", String.valueOf(ocspPort),
                "-rsigner", signer + ".pem", "-rkey", signer + ".key", "-CA", "ca.pem", "-nmin", String.valueOf(minutes),
                "-ignore_err")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("ocsp.log").toFile())
                .start();
        // Wait for its "waiting for OCSP client connections" line: a probe connection would wedge it,
        // since it serves one connection at a time and does not give up on one that sends nothing.
        await("openssl ocsp listening").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    String log = Files.readString(dir.resolve("ocsp.log"));
                    if (!responder.isAlive()) {
                        throw new IllegalStateException("openssl ocsp did not start: " + log);
                    }
                    return log.contains("waiting for OCSP client connections");
                });
    }

    void stopResponder() throws InterruptedException {
        if (responder != null) {
            responder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            responder = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopResponder();
    }

    private X509Certificate sign(String file, String subject, String serial, String extensions) throws Exception {
        Files.writeString(dir.resolve(file + ".ext"), extensions);
        run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", file + ".key", "-out", file + ".csr", "-subj", subject);
        run("x509", "-req", "-in", file + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", serial,
                "-days", "10", "-extfile", file + ".ext", "-out", file + ".pem");
        try (var in = Files.newInputStream(dir.resolve(file + ".pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private void writeIndex() throws IOException {
        // A renewed certificate has the same subject as the one it replaces.
        Files.writeString(dir.resolve("index.txt.attr"), "unique_subject = no\n");
        Files.writeString(dir.resolve("index.txt"), index.stream().map(line -> line + "\n").reduce("", String::concat));
    }

    /** The serial as {@code index.txt} spells it: upper-case hex, an even number of digits. */
    private static String hex(X509Certificate certificate) {
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    private void run(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(dir.resolve("openssl.log")));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
