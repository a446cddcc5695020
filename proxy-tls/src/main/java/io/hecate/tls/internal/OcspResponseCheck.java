package io.hecate.tls.internal;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Checks an OCSP response before it may be stapled: successful, a basic response signed by the
 * issuer or by a responder the issuer delegated to (id-kp-OCSPSigning), about this certificate, and
 * current. Good and revoked answers pass; anything else is an error with the reason.
 */
public final class OcspResponseCheck {

    /** Tolerated difference between the responder's clock and ours, for thisUpdate. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private OcspResponseCheck() {
    }

    public static OcspAnswer check(byte[] der, OcspTarget target, Instant now) throws GeneralSecurityException {
        try {
            OCSPResp response = new OCSPResp(der);
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                throw new GeneralSecurityException("the responder answered status " + response.getStatus()
                        + " (" + statusName(response.getStatus()) + ")");
            }
            if (!(response.getResponseObject() instanceof BasicOCSPResp basic)) {
                throw new GeneralSecurityException("not a basic OCSP response");
            }
            checkSignature(basic, target.issuer(), now);
            SingleResp single = find(basic, target);
            Instant thisUpdate = single.getThisUpdate().toInstant();
            Instant nextUpdate = single.getNextUpdate() == null ? null : single.getNextUpdate().toInstant();
            if (thisUpdate.isAfter(now.plus(CLOCK_SKEW))) {
                throw new GeneralSecurityException("the answer's thisUpdate " + thisUpdate + " is in the future");
            }
            OcspAnswer answer;
            CertificateStatus status = single.getCertStatus();
            if (status == CertificateStatus.GOOD) {
                answer = new OcspAnswer(true, der, thisUpdate, nextUpdate, null);
            } else if (status instanceof RevokedStatus revoked) {
                answer = new OcspAnswer(false, der, thisUpdate, nextUpdate, revoked.getRevocationTime().toInstant());
            } else {
                throw new GeneralSecurityException("the responder does not know the certificate (status unknown)");
            }
            if (!answer.freshAt(now)) {
                throw new GeneralSecurityException("the answer is stale: fresh until " + answer.expires());
            }
            return answer;
        } catch (IOException | OCSPException e) {
            throw new GeneralSecurityException("unreadable OCSP response: " + e.getMessage(), e);
        }
    }

    /** Signed by the issuer itself, or by a certificate in the response that the issuer made an OCSP signer. */
    private static void checkSignature(BasicOCSPResp basic, X509Certificate issuer, Instant now)
            throws GeneralSecurityException, OCSPException {
        if (signedBy(basic, issuer.getPublicKey())) {
            return;
        }
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (X509CertificateHolder holder : basic.getCerts()) {
            X509Certificate responder = converter.getCertificate(holder);
            if (delegatedBy(responder, issuer, now) && signedBy(basic, responder.getPublicKey())) {
                return;
            }
        }
        throw new GeneralSecurityException("the response is signed neither by the issuer nor by a responder it delegated to");
    }

    private static boolean signedBy(BasicOCSPResp basic, PublicKey key) {
        try {
            return basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
        } catch (OperatorCreationException | OCSPException e) {
            // a key of another type than the signature's: not this signer
            return false;
        }
    }

    private static boolean delegatedBy(X509Certificate responder, X509Certificate issuer, Instant now) {
        try {
            List<String> usages = responder.getExtendedKeyUsage();
            if (usages == null || !usages.contains(KeyPurposeId.id_kp_OCSPSigning.getId())
                    || !responder.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                return false;
            }
            responder.verify(issuer.getPublicKey());
            responder.checkValidity(Date.from(now));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static SingleResp find(BasicOCSPResp basic, OcspTarget target) throws GeneralSecurityException, OCSPException {
        JcaX509CertificateHolder issuer = new JcaX509CertificateHolder(target.issuer());
        try {
            for (SingleResp single : basic.getResponses()) {
                CertificateID id = single.getCertID();
                if (id.getSerialNumber().equals(target.leaf().getSerialNumber())
                        && id.matchesIssuer(issuer, new JcaDigestCalculatorProviderBuilder().build())) {
                    return single;
                }
            }
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        throw new GeneralSecurityException("the response is not about this certificate (serial "
                + target.leaf().getSerialNumber().toString(16) + ")");
    }

    private static String statusName(int status) {
        return switch (status) {
            case OCSPResp.MALFORMED_REQUEST -> "malformed request";
            case OCSPResp.INTERNAL_ERROR -> "internal error";
            case OCSPResp.TRY_LATER -> "try later";
            case OCSPResp.SIG_REQUIRED -> "signature required";
            case OCSPResp.UNAUTHORIZED -> "unauthorized";
            default -> "unknown";
        };
    }
}
