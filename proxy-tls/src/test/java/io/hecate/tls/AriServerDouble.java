package io.hecate.tls;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double, not an ACME server: only the two resources ACME Renewal Information needs, so
 * that ARI can be tested where no installable ACME server offers it (Debian's pebble 2.4 does not).
 *
 * <ul>
 * <li>{@code GET /dir}: the directory (RFC 8555 §7.1.1) with {@code renewalInfo} (RFC 9773 §3).
 *     The resources §7.1.1 requires (newNonce, newAccount, ...) are listed but not served: a
 *     request to them gets 404 and is recorded, so a test sees an order being attempted.</li>
 * <li>{@code GET /renewal-info/<certID>} (RFC 9773 §4.1): the certID is checked as §4.1 defines it
 *     and, for a certificate the test registered, answered per §4.2 with {@code suggestedWindow},
 *     {@code explanationURL} when given, and {@code Retry-After} when given.</li>
 * </ul>
 *
 * <p>HTTPS on loopback with a certificate from a CA the test makes, as {@link PebbleServer} does,
 * so the client reaches it exactly as it reaches a real server ({@link AcmeSettings#trustedRoots()}).
 */
final class AriServerDouble implements AutoCloseable {

    /** What the double says about one certificate. */
    record Answer(Instant start, Instant end, String explanationUrl, Duration retryAfter) {
    }

    private final X509Bundle httpsCa;
    private final HttpsServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile boolean offersRenewalInfo = true;
    private volatile boolean failing;

    AriServerDouble() throws Exception {
        httpsCa = new CertificateBuilder().subject("CN=ARI double HTTPS CA").setIsCertificateAuthority(true).ecp256()
                .notBefore(Instant.now().minus(Duration.ofDays(1))).notAfter(Instant.now().plus(Duration.ofDays(30)))
                .buildSelfSigned();
        // acme4j connects to 127.0.0.1: the address must be in the certificate.
        X509Bundle https = new CertificateBuilder().ecp256().subject("CN=localhost").addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth()
                .notBefore(Instant.now().minus(Duration.ofHours(1))).notAfter(Instant.now().plus(Duration.ofDays(30)))
                .buildIssuedBy(httpsCa);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(https.toKeyManagerFactory().getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", this::handle);
        server.start();
    }

    URI directory() {
        return URI.create(base() + "/dir");
    }

    /** The root the client must trust for the double's HTTPS. */
    X509Certificate httpsRoot() {
        return httpsCa.getCertificate();
    }

    /** Answers about {@code certificate} from now on (replacing an earlier answer: the CA moved the window). */
    void answer(X509Certificate certificate, Answer answer) {
        answers.put(certId(certificate), answer);
    }

    /** Whether the directory lists {@code renewalInfo}. */
    void offerRenewalInfo(boolean offer) {
        offersRenewalInfo = offer;
    }

    /** Whether renewalInfo requests fail with a server error. */
    void failRenewalInfo(boolean fail) {
        failing = fail;
    }

    /** Every request so far, as "METHOD /path". */
    List<String> requests() {
        return List.copyOf(requests);
    }

    long renewalInfoRequests() {
        return requests.stream().filter(r -> r.startsWith("GET /renewal-info/")).count();
    }

    /**
     * RFC 9773 §4.1: base64url (no padding) of the keyIdentifier of the certificate's Authority Key
     * Identifier extension, ".", base64url (no padding) of the DER encoding of its serial number's
     * value (without tag and length: {@link java.math.BigInteger#toByteArray()}, leading zero byte included).
     */
    static String certId(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue("2.5.29.35");
        if (extension == null) {
            throw new IllegalArgumentException("RFC 9773 §4.1 needs the Authority Key Identifier extension");
        }
        byte[] keyIdentifier = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(extension).getOctets())
                .getKeyIdentifier();
        Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
        return base64url.encodeToString(keyIdentifier) + "."
                + base64url.encodeToString(certificate.getSerialNumber().toByteArray());
    }

    private String base() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + path);
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                respond(exchange, 405, "application/problem+json", problem("malformed", "only GET is served here"));
            } else if (path.equals("/dir")) {
                respond(exchange, 200, "application/json", directoryJson());
            } else if (path.startsWith("/renewal-info/") && offersRenewalInfo) {
                renewalInfo(exchange, path.substring("/renewal-info/".length()));
            } else {
                respond(exchange, 404, "application/problem+json", problem("malformed", "not served by the ARI double"));
            }
        }
    }

    private String directoryJson() {
        String base = base();
        return "{\"newNonce\":\"" + base + "/new-nonce\",\"newAccount\":\"" + base + "/new-account\","
                + "\"newOrder\":\"" + base + "/new-order\",\"revokeCert\":\"" + base + "/revoke-cert\","
                + "\"keyChange\":\"" + base + "/key-change\""
                + (offersRenewalInfo ? ",\"renewalInfo\":\"" + base + "/renewal-info\"" : "") + "}";
    }

    /** RFC 9773 §4.1: a malformed certID is refused, an unknown one is not found; §4.2: the answer. */
    private void renewalInfo(HttpExchange exchange, String certId) throws IOException {
        if (!certId.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+")) {
            respond(exchange, 400, "application/problem+json", problem("malformed", "not a certID: " + certId));
            return;
        }
        if (failing) {
            respond(exchange, 500, "application/problem+json", problem("serverInternal", "the ARI double fails as told"));
            return;
        }
        Answer answer = answers.get(certId);
        if (answer == null) {
            respond(exchange, 404, "application/problem+json", problem("malformed", "no certificate " + certId));
            return;
        }
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(answer.retryAfter().toSeconds()));
        }
        respond(exchange, 200, "application/json", "{\"suggestedWindow\":{\"start\":\"" + answer.start()
                + "\",\"end\":\"" + answer.end() + "\"}"
                + (answer.explanationUrl() == null ? "" : ",\"explanationURL\":\"" + answer.explanationUrl() + "\"")
                + "}");
    }

    private static String problem(String type, String detail) {
        return "{\"type\":\"urn:ietf:params:acme:error:" + type + "\",\"detail\":\"" + detail + "\"}";
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
