package io.hecate.tls.internal;

import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Asks a certificate's OCSP responder about it (RFC 6960 over HTTP POST) and returns the raw answer. */
public final class OcspClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    // OCSP responders speak HTTP/1.1; the JDK client would otherwise offer an h2c upgrade on http URLs.
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** The DER OCSPResponse, or a failure saying why there is none (unchecked: see {@link OcspResponseCheck}). */
    public CompletableFuture<byte[]> fetch(OcspTarget target) {
        byte[] request;
        try {
            request = request(target);
        } catch (GeneralSecurityException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest post = HttpRequest.newBuilder(target.url())
                .timeout(TIMEOUT)
                .header("Content-Type", "application/ocsp-request")
                .header("Accept", "application/ocsp-response")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                .build();
        return http.sendAsync(post, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(target.url() + " answered HTTP " + response.statusCode());
            }
            return response.body();
        });
    }

    /**
     * One request for the leaf, without a nonce: a stapled answer is shown to many clients, and
     * large responders (Let's Encrypt's among them) answer from a cache and ignore nonces. The
     * certificate is named by SHA-1 hashes, which RFC 5019 responders require.
     */
    private static byte[] request(OcspTarget target) throws GeneralSecurityException {
        try {
            CertificateID id = new CertificateID(
                    new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(target.issuer()), target.leaf().getSerialNumber());
            return new OCSPReqBuilder().addRequest(id).build().getEncoded();
        } catch (OperatorCreationException | OCSPException | IOException e) {
            throw new GeneralSecurityException("cannot build the OCSP request: " + e.getMessage(), e);
        }
    }
}
