package io.hecate.agent.consul;

import com.ecwid.consul.v1.kv.model.GetValue;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.ConsulLock;
import io.hecate.agent.consul.internal.ConsulUnavailableException;
import io.hecate.agent.consul.internal.KeyCipher;
import io.hecate.agent.consul.internal.KvLayout;
import io.hecate.tls.CertificateStore;
import io.hecate.tls.FileCertificateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * ACME's account and certificates kept in Consul's KV store, so that every Hecate of a cluster
 * serves the certificate one of them ordered: under {@code <prefix>certs/<storage key>}, private
 * keys encrypted with {@code consul.certificates}' key ({@link KeyCipher}), and a Consul session
 * lock per certificate under {@code <prefix>locks/certs/<name>} so that only one node orders it.
 *
 * <p>Everything read from or written to Consul is also kept in a local {@link FileCertificateStore}.
 * While Consul is unreachable, reads answer from that copy, so a node keeps serving (and can
 * restart with) the certificates it had; writes and locks fail, so ordering waits for Consul and
 * is retried.
 *
 * <pre>{@code
 * TlsModule.install(builder, config, storage -> ConsulCertificateStore.open(connection, storage));
 * }</pre>
 */
public final class ConsulCertificateStore implements CertificateStore {

    private static final Logger LOG = LoggerFactory.getLogger(ConsulCertificateStore.class);
    private static final String PRIVATE_KEY = "PRIVATE KEY-----";

    private final ConsulConnection connection;
    private final KvLayout layout;
    private final KeyCipher cipher;
    private final FileCertificateStore local;
    private final AtomicBoolean unreachable = new AtomicBoolean();

    private ConsulCertificateStore(ConsulConnection connection, KeyCipher cipher, FileCertificateStore local) {
        this.connection = connection;
        this.layout = new KvLayout(connection.settings().prefix());
        this.cipher = cipher;
        this.local = local;
    }

    /**
     * The store of the connection's Consul and {@code consul.certificates}' key; asks Consul nothing yet.
     *
     * @param connection to Consul, with settings that have {@code certificates}; stays the caller's to close
     * @param localCopy  the folder of the local copy ({@code tls.acme.storage})
     * @throws IllegalArgumentException when the settings have no {@code certificates} section
     */
    public static ConsulCertificateStore open(ConsulConnection connection, Path localCopy) {
        ConsulSettings.Certificates certificates = connection.settings().certificates();
        if (certificates == null) {
            throw new IllegalArgumentException("consul.certificates is not configured: private keys need its"
                    + " key_file or key_env to be stored in Consul");
        }
        return new ConsulCertificateStore(connection, new KeyCipher(certificates.encryptionKey()),
                new FileCertificateStore(localCopy));
    }

    /** Consul's value (updating the local copy), or the local copy's while Consul is unreachable. */
    @Override
    public String read(String key) throws IOException {
        GetValue value;
        try {
            value = connection.call("read " + kvKey(key),
                    () -> connection.client().getKVValue(kvKey(key), connection.now()).getValue());
        } catch (ConsulUnavailableException e) {
            if (unreachable.compareAndSet(false, true)) {
                LOG.warn("Certificates: reading the local copy while Consul cannot be read: {}", e.getMessage());
            }
            return local.read(key);
        }
        if (unreachable.compareAndSet(true, false)) {
            LOG.info("Certificates: Consul at {} answers again", connection.describe());
        }
        // Consul answers an empty value as none.
        String text = value == null || value.getDecodedValue() == null ? null : open(key, value.getDecodedValue());
        if (text != null && !text.equals(local.read(key))) {
            local.write(key, text);
        }
        return text;
    }

    /** Writes to Consul, then to the local copy. */
    @Override
    public void write(String key, String text) throws IOException {
        String stored = text.contains(PRIVATE_KEY) ? cipher.encrypt(key, text) : text;
        try {
            Boolean written = connection.call("write " + kvKey(key),
                    () -> connection.client().setKVValue(kvKey(key), stored).getValue());
            if (!Boolean.TRUE.equals(written)) {
                throw new IOException("Consul at " + connection.describe() + " did not store " + kvKey(key));
            }
        } catch (ConsulUnavailableException e) {
            throw new IOException(e.getMessage(), e);
        }
        local.write(key, text);
    }

    /** A Consul session lock on {@code <prefix>locks/certs/<name>}, cluster-wide. */
    @Override
    public Lock lock(String name) throws IOException, InterruptedException {
        try {
            return ConsulLock.acquire(connection, layout.certificateLocks() + name, "certificate " + name)::close;
        } catch (ConsulUnavailableException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private String kvKey(String key) {
        return layout.certificates() + key;
    }

    /** The text of a stored value: private keys decrypted, and refused when found unencrypted. */
    private String open(String key, String stored) throws IOException {
        if (KeyCipher.encrypted(stored)) {
            try {
                return cipher.decrypt(key, stored);
            } catch (GeneralSecurityException e) {
                throw new IOException(kvKey(key) + " in Consul cannot be decrypted with consul.certificates' key: "
                        + e.getMessage(), e);
            }
        }
        if (stored.contains(PRIVATE_KEY)) {
            throw new IOException(kvKey(key) + " in Consul holds a private key that is not encrypted; Hecate stores"
                    + " keys encrypted (" + KeyCipher.FORMAT + "...) and will not use this one");
        }
        return stored;
    }
}
