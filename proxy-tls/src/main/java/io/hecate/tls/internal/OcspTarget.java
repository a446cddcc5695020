package io.hecate.tls.internal;

import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

/**
 * What an OCSP request is about: a served leaf, its issuer (whose key signs or delegates the
 * answer) and the responder URL the leaf names.
 */
public record OcspTarget(X509Certificate leaf, X509Certificate issuer, URI url) {

    /**
     * The responder URL of the leaf's Authority Information Access extension (the first {@code http}
     * or {@code https} one), or {@code null} when it names none.
     */
    public static URI responderUrl(X509Certificate leaf) throws IOException {
        byte[] extension = leaf.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (extension == null) {
            return null;
        }
        AuthorityInformationAccess access = AuthorityInformationAccess.getInstance(
                JcaX509ExtensionUtils.parseExtensionValue(extension));
        for (AccessDescription description : access.getAccessDescriptions()) {
            GeneralName location = description.getAccessLocation();
            if (description.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                    && location.getTagNo() == GeneralName.uniformResourceIdentifier) {
                String url = ASN1IA5String.getInstance(location.getName()).getString();
                String lower = url.toLowerCase(Locale.ROOT);
                if (lower.startsWith("http://") || lower.startsWith("https://")) {
                    return URI.create(url);
                }
            }
        }
        return null;
    }

    /**
     * The certificate of the chain that issued {@code chain.get(0)}: named as its issuer and whose key
     * verifies its signature.
     *
     * @throws GeneralSecurityException when the chain does not hold it
     */
    public static X509Certificate issuerIn(List<X509Certificate> chain) throws GeneralSecurityException {
        X509Certificate leaf = chain.get(0);
        for (X509Certificate candidate : chain.subList(1, chain.size())) {
            if (candidate.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
                leaf.verify(candidate.getPublicKey());
                return candidate;
            }
        }
        throw new GeneralSecurityException("the chain does not hold the issuer " + leaf.getIssuerX500Principal().getName()
                + " (serve the full chain to staple OCSP answers)");
    }
}
