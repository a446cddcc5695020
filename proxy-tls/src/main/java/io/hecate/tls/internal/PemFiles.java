package io.hecate.tls.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a PEM certificate chain and a PEM (PKCS#8) private key, and checks that they belong together. */
public final class PemFiles {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {
    }

    /** The chain in file order (leaf first). */
    public static List<X509Certificate> chain(Path file) throws IOException, GeneralSecurityException {
        return chain(Files.readAllBytes(file), file.toString());
    }

    /** The chain in PEM text (leaf first). */
    public static List<X509Certificate> chain(String pem, String origin) throws GeneralSecurityException {
        return chain(pem.getBytes(StandardCharsets.US_ASCII), origin);
    }

    private static List<X509Certificate> chain(byte[] bytes, Object file) throws GeneralSecurityException {
        Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(bytes));
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate certificate : read) {
            chain.add((X509Certificate) certificate);
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException(file + " holds no PEM certificate");
        }
        return chain;
    }

    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        return privateKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /** A PKCS#8 private key in PEM text. */
    public static PrivateKey privateKey(String text, String file) throws GeneralSecurityException {
        Matcher matcher = PKCS8.matcher(text);
        if (!matcher.find()) {
            throw new GeneralSecurityException(file + " holds no \"BEGIN PRIVATE KEY\" block (PKCS#8, unencrypted);"
                    + " convert other forms with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException(file + " holds neither an EC nor an RSA private key");
    }

    /** Fails unless {@code key} signs what the leaf's public key verifies. */
    public static void checkPair(PrivateKey key, X509Certificate leaf, Path keyFile)
            throws GeneralSecurityException {
        PublicKey publicKey = leaf.getPublicKey();
        String keyFamily = family(key.getAlgorithm());
        String algorithm = keyFamily.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        if (!family(publicKey.getAlgorithm()).equals(keyFamily)) {
            throw new GeneralSecurityException(keyFile + " is a " + key.getAlgorithm() + " key but the certificate's is "
                    + publicKey.getAlgorithm());
        }
        byte[] probe = "hecate".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException(keyFile + " is not the key of the certificate "
                    + leaf.getSubjectX500Principal().getName());
        }
    }

    /** "EC" for EC keys whatever the provider calls them (BouncyCastle says "ECDSA"). */
    private static String family(String algorithm) {
        String upper = algorithm.toUpperCase(Locale.ROOT);
        return upper.equals("ECDSA") ? "EC" : upper;
    }

    /** The DNS names a server certificate is for: its SAN DNS names, or its CN when it has none. */
    public static List<String> dnsNames(X509Certificate leaf) throws GeneralSecurityException {
        List<String> names = new ArrayList<>();
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                if (Integer.valueOf(2).equals(san.get(0))) {
                    names.add(san.get(1).toString().toLowerCase(Locale.ROOT));
                }
            }
        }
        if (names.isEmpty()) {
            Matcher cn = Pattern.compile("(?:^|,)\\s*CN=([^,]+)").matcher(leaf.getSubjectX500Principal().getName());
            if (cn.find()) {
                names.add(cn.group(1).trim().toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }
}
