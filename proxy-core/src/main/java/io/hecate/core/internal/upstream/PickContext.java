package io.hecate.core.internal.upstream;

/** What a load-balancing policy may look at to choose a target for one request. */
public interface PickContext {

    /** The first value of a request header, or {@code null}. */
    String header(CharSequence name);

    /** The value of a request cookie, or {@code null}. */
    String cookie(String name);

    /** The client's address after the trusted-proxy rules. */
    String clientAddress();
}
