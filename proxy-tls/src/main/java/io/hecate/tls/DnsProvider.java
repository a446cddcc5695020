package io.hecate.tls;

/**
 * Sets and removes the TXT records of ACME DNS-01 challenges (RFC 8555 §8.4), which prove control
 * of a name through its DNS and are the only way to get a wildcard certificate. Called on the ACME
 * thread, never on an event loop: implementations may block on their DNS provider's API.
 */
public interface DnsProvider {

    /**
     * @param name  the record's full name with a trailing dot, e.g. {@code _acme-challenge.example.com.}
     * @param value the TXT value (the challenge digest)
     */
    void setTxt(String name, String value) throws Exception;

    /** Removes what {@link #setTxt} set once the challenge is over (valid or not). */
    void clearTxt(String name) throws Exception;

    /**
     * Extra time the DNS needs before the ACME server can see a new record (propagation to the
     * provider's name servers); zero when it is visible at once.
     */
    default java.time.Duration propagationDelay() {
        return java.time.Duration.ZERO;
    }
}
