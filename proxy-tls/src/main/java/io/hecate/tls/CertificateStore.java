package io.hecate.tls;

import java.io.IOException;

/**
 * Where ACME keeps its account key, certificates and their keys, as PEM text under keys such as
 * {@code account.key}, {@code certificates/example.com/fullchain.pem} and
 * {@code certificates/example.com/privkey.pem}. Used only on the ACME thread, never on an event
 * loop; a store that is down makes ordering fail (and be retried), never serving.
 *
 * <p>Made for sharing: with a cluster store (Consul, say), {@link #lock} is a cluster-wide lock.
 * The node that holds it orders; after taking it, every node reads the store first and serves a
 * certificate another node already renewed instead of ordering again. So one node orders and
 * every node serves. {@link FileCertificateStore} is the default, on one machine.
 */
public interface CertificateStore {

    /** The text stored under {@code key}, or {@code null} when there is none. */
    String read(String key) throws IOException;

    /** Stores {@code text} under {@code key} whole or not at all, readable by its owner only. */
    void write(String key, String text) throws IOException;

    /** Held while one name's certificate is ordered; blocks until it is free. */
    Lock lock(String name) throws IOException, InterruptedException;

    /** A held lock; closing releases it. */
    interface Lock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }
}
