package io.hecate.core.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * A test certificate authority and the certificates it issues, and JDK HTTP clients that trust it.
 *
 * <p>The JDK client (Java 17) sends SNI only for host names it resolved, and test names do not
 * resolve; so the clients here connect to {@code 127.0.0.1} and set the SNI name themselves
 * (the JDK keeps the caller's server names for an IP literal). Every certificate issued here also
 * carries the IP address {@code 127.0.0.1}, so hostname verification passes and the chain is still
 * validated against this authority; which certificate came back is read from the TLS session.
 */
public final class TestPki {

    private final X509Bundle ca;

    private TestPki(X509Bundle ca) {
        this.ca = ca;
    }

    public static TestPki create() throws Exception {
        return new TestPki(new CertificateBuilder()
                .subject("CN=Hecate Test CA")
                .setIsCertificateAuthority(true)
                .ecp256()
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
                .notAfter(Instant.now().plus(30, ChronoUnit.DAYS))
                .buildSelfSigned());
    }

    public X509Bundle ca() {
        return ca;
    }

    /** An ECDSA P-256 server certificate for the names (the first is the subject's CN). */
    public X509Bundle ecdsa(String... names) throws Exception {
        return issue(new CertificateBuilder().ecp256(), Instant.now().plus(30, ChronoUnit.DAYS), names);
    }

    /** An RSA 2048 server certificate for the names. */
    public X509Bundle rsa(String... names) throws Exception {
        return issue(new CertificateBuilder().rsa2048(), Instant.now().plus(30, ChronoUnit.DAYS), names);
    }

    /** An ECDSA server certificate valid until {@code notAfter}. */
    public X509Bundle ecdsaUntil(Instant notAfter, String... names) throws Exception {
        return issue(new CertificateBuilder().ecp256(), notAfter, names);
    }

    private X509Bundle issue(CertificateBuilder builder, Instant notAfter, String... names) throws Exception {
        // The subject alternative names are encoded here: the builder's addSanDnsName cannot take a
        // wildcard ("*.example.com").
        org.bouncycastle.asn1.x509.GeneralName[] sans = new org.bouncycastle.asn1.x509.GeneralName[names.length + 1];
        for (int i = 0; i < names.length; i++) {
            sans[i] = new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.dNSName, names[i]);
        }
        sans[names.length] = new org.bouncycastle.asn1.x509.GeneralName(
                org.bouncycastle.asn1.x509.GeneralName.iPAddress, "127.0.0.1");
        builder.subject("CN=" + names[0])
                .notBefore(Instant.now().minus(1, ChronoUnit.HOURS))
                .notAfter(notAfter)
                .addExtendedKeyUsageServerAuth()
                .addExtensionOctetString("2.5.29.17", false,
                        new org.bouncycastle.asn1.x509.GeneralNames(sans).getEncoded("DER"));
        return builder.buildIssuedBy(ca);
    }

    /** A JDK client trusting this authority that sends {@code sni} (or no SNI when null). */
    public HttpClient client(HttpClient.Version version, String sni) throws Exception {
        return client(version, sni, ca);
    }

    /** A JDK client trusting {@code root} that sends {@code sni} (or no SNI when null). */
    public static HttpClient client(HttpClient.Version version, String sni, X509Bundle root) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, root.toTrustManagerFactory().getTrustManagers(), null);
        SSLParameters parameters = new SSLParameters();
        // The JDK client offers h2 by ALPN only when its parameters name TLS 1.2 or 1.3.
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        if (sni != null) {
            parameters.setServerNames(List.of(new SNIHostName(sni)));
        }
        return HttpClient.newBuilder()
                .version(version)
                .sslContext(context)
                .sslParameters(parameters)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The subject's common name of the server certificate a TLS session presented. */
    public static String servedName(java.util.Optional<javax.net.ssl.SSLSession> session) throws Exception {
        X509Certificate leaf = (X509Certificate) session.orElseThrow().getPeerCertificates()[0];
        return leaf.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
    }
}
