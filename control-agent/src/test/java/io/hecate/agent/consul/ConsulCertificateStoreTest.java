package io.hecate.agent.consul;

import static org.awaitility.Awaitility.await;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.ecwid.consul.v1.kv.model.PutParams;
import com.ecwid.consul.v1.session.model.NewSession;
import io.hecate.agent.consul.internal.ConsulConnection;
import io.hecate.agent.consul.internal.KeyCipher;
import io.hecate.agent.consul.testdouble.ConsulTestDouble;
import io.hecate.tls.CertificateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Consul certificate store against the Consul test double: encryption at rest, the local copy, the lock. */
@Timeout(120)
class ConsulCertificateStoreTest {

    private static final String KEY = "certificates/a.example.com/privkey.pem";
    private static final String CHAIN = "certificates/a.example.com/fullchain.pem";

    @TempDir
    Path dir;
    private ConsulTestDouble consul;
    private final byte[] key = randomKey();
    private final List<ConsulConnection> connections = new ArrayList<>();
    private final List<CertificateStore.Lock> locks = new ArrayList<>();

    @BeforeEach
    void startConsul() throws Exception {
        consul = ConsulTestDouble.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (CertificateStore.Lock lock : locks) {
            lock.close();
        }
        connections.forEach(ConsulConnection::close);
        consul.close();
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private ConsulConnection connection(byte[] encryptionKey) throws IOException {
        ConsulConnection connection = ConsulConnection.open(ConsulSettings.of(URI.create(consul.address()))
                .withWait(Duration.ofSeconds(5))
                .withCertificates(new ConsulSettings.Certificates(encryptionKey)));
        connections.add(connection);
        return connection;
    }

    private ConsulCertificateStore store(String local, byte[] encryptionKey) throws IOException {
        return ConsulCertificateStore.open(connection(encryptionKey), dir.resolve(local));
    }

    private static String privateKeyPem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(
                        generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static final String CHAIN_PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

    @Test
    void privateKeysAreEncryptedAtRestAndReadBackByEveryNodeWithTheKey() throws Exception {
        ConsulCertificateStore store = store("a", key);
        String pem = privateKeyPem();
        store.write(KEY, pem);
        store.write(CHAIN, CHAIN_PEM);

        String stored = consul.get("hecate/certs/" + KEY);
        assertThat(stored).startsWith("hecate-aes-gcm-v1:").doesNotContain("PRIVATE KEY")
                .doesNotContain(pem.lines().skip(1).findFirst().orElseThrow());
        assertThat(new KeyCipher(key).decrypt(KEY, stored)).isEqualTo(pem);
        // Certificates are public: stored as they are.
        assertThat(consul.get("hecate/certs/" + CHAIN)).isEqualTo(CHAIN_PEM);
        // A random nonce each time: the same key written twice is two different values.
        store.write(KEY, pem);
        assertThat(consul.get("hecate/certs/" + KEY)).isNotEqualTo(stored);

        ConsulCertificateStore other = store("b", key);
        assertThat(other.read(KEY)).isEqualTo(pem);
        assertThat(other.read(CHAIN)).isEqualTo(CHAIN_PEM);
        assertThat(other.read("certificates/none.example.com/privkey.pem")).isNull();
        // Mirrored to the local copies, as the ACME storage folder would hold them.
        assertThat(Files.readString(dir.resolve("a").resolve(KEY))).isEqualTo(pem);
        assertThat(Files.readString(dir.resolve("b").resolve(CHAIN))).isEqualTo(CHAIN_PEM);
    }

    @Test
    void aWrongKeyATamperedValueOrAMovedValueIsAnErrorNamingTheKey() throws Exception {
        store("a", key).write(KEY, privateKeyPem());
        String stored = consul.get("hecate/certs/" + KEY);

        assertThatThrownBy(() -> store("wrong", randomKey()).read(KEY)).isInstanceOf(IOException.class)
                .hasMessageContaining("hecate/certs/" + KEY + " in Consul cannot be decrypted")
                .hasMessageContaining("not the one it was encrypted with");

        ConsulCertificateStore store = store("b", key);
        byte[] sealed = Base64.getDecoder().decode(stored.substring(KeyCipher.FORMAT.length()));
        sealed[sealed.length / 2] ^= 1;
        consul.put("hecate/certs/" + KEY, KeyCipher.FORMAT + Base64.getEncoder().encodeToString(sealed));
        assertThatThrownBy(() -> store.read(KEY)).isInstanceOf(IOException.class)
                .hasMessageContaining("hecate/certs/" + KEY + " in Consul cannot be decrypted");

        String moved = "certificates/b.example.com/privkey.pem";
        consul.put("hecate/certs/" + moved, stored);
        assertThatThrownBy(() -> store.read(moved)).isInstanceOf(IOException.class)
                .hasMessageContaining("hecate/certs/" + moved + " in Consul cannot be decrypted");

        consul.put("hecate/certs/" + KEY, privateKeyPem());
        assertThatThrownBy(() -> store.read(KEY)).isInstanceOf(IOException.class)
                .hasMessageContaining("hecate/certs/" + KEY + " in Consul holds a private key that is not encrypted");
    }

    @Test
    void whileConsulIsDownReadsAnswerFromTheLocalCopyAndWritesAndLocksFail() throws Exception {
        ConsulCertificateStore store = store("a", key);
        String pem = privateKeyPem();
        store.write(KEY, pem);
        ConsulCertificateStore reader = store("b", key);
        assertThat(reader.read(KEY)).isEqualTo(pem);
        ListAppender<ILoggingEvent> log = capture();

        consul.stop();
        assertThat(reader.read(KEY)).isEqualTo(pem);
        assertThat(reader.read(KEY)).isEqualTo(pem);
        assertThat(reader.read(CHAIN)).as("never held locally").isNull();
        assertThatThrownBy(() -> reader.write(CHAIN, CHAIN_PEM)).isInstanceOf(IOException.class)
                .hasMessageContaining("unreachable");
        assertThat(Files.exists(dir.resolve("b").resolve(CHAIN))).as("not written locally either").isFalse();
        assertThatThrownBy(() -> reader.lock("a.example.com")).isInstanceOf(IOException.class)
                .hasMessageContaining("unreachable");
        assertThat(warnings(log)).as("once per outage").hasSize(1);

        consul.restart(false);
        reader.write(CHAIN, CHAIN_PEM);
        assertThat(store.read(CHAIN)).isEqualTo(CHAIN_PEM);
        assertThat(reader.read(KEY)).isEqualTo(pem);
        assertThat(log.list).anyMatch(event -> event.getLevel() == Level.INFO
                && event.getFormattedMessage().contains("answers again"));

        consul.stop();
        assertThat(reader.read(KEY)).isEqualTo(pem);
        assertThat(warnings(log)).as("a second outage is logged again").hasSize(2);
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(ConsulCertificateStore.class)).addAppender(appender);
        return appender;
    }

    private static List<ILoggingEvent> warnings(ListAppender<ILoggingEvent> log) {
        return log.list.stream().filter(event -> event.getLevel() == Level.WARN).toList();
    }

    @Test
    void theLockExcludesASecondHolderUntilReleased() throws Exception {
        ConsulCertificateStore first = store("a", key);
        ConsulCertificateStore second = store("b", key);
        CertificateStore.Lock held = first.lock("a.example.com");
        CompletableFuture<CertificateStore.Lock> waiting = lockInBackground(second, "a.example.com");

        // Another name is not held.
        locks.add(second.lock("b.example.com"));
        await("excluded while held").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> !waiting.isDone());

        held.close();
        CertificateStore.Lock taken = waiting.get(10, TimeUnit.SECONDS);
        assertThat(consul.get("hecate/locks/certs/a.example.com")).as("holder").contains("@");
        taken.close();
        assertThat(lockSessions()).as("sessions destroyed on close").containsOnly("b.example.com");
    }

    @Test
    void aHolderThatStopsRenewingLosesTheLockWhenItsSessionExpires() throws Exception {
        // A node that died holding the lock: its session is no longer renewed. (A TTL shorter than
        // Consul's default minimum, as an operator may allow, keeps the test short.)
        consul.sessionTtlMin(Duration.ofSeconds(1));
        ConsulConnection crashed = connection(key);
        NewSession session = new NewSession();
        session.setTtl("3s");
        session.setLockDelay(1);
        String id = crashed.client().sessionCreate(session, crashed.now()).getValue();
        PutParams acquire = new PutParams();
        acquire.setAcquireSession(id);
        assertThat(crashed.client().setKVValue("hecate/locks/certs/a.example.com", "crashed", acquire).getValue())
                .isTrue();

        long start = System.nanoTime();
        CertificateStore.Lock taken = lockInBackground(store("a", key), "a.example.com").get(20, TimeUnit.SECONDS);
        locks.add(taken);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited for the session to expire")
                .isGreaterThan(Duration.ofSeconds(2));
        assertThat(consul.get("hecate/locks/certs/a.example.com")).as("now held by the waiting node").contains("@");
    }

    @Test
    void aHeldLockOutlivesItsSessionTtlBecauseTheSessionIsRenewed() throws Exception {
        ConsulCertificateStore first = store("a", key);
        locks.add(first.lock("a.example.com"));
        CompletableFuture<CertificateStore.Lock> waiting = lockInBackground(store("b", key), "a.example.com");
        await("still held past the 15 s TTL").during(Duration.ofSeconds(18)).atMost(Duration.ofSeconds(20))
                .until(() -> !waiting.isDone());
        locks.remove(0).close();
        locks.add(waiting.get(10, TimeUnit.SECONDS));
    }

    private static CompletableFuture<CertificateStore.Lock> lockInBackground(CertificateStore store, String name) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return store.lock(name);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    /** The names of the certificates whose lock sessions exist. */
    private List<String> lockSessions() throws IOException {
        ConsulConnection connection = connection(key);
        return connection.client().getSessionList(connection.now()).getValue().stream()
                .map(s -> s.getName().replace("hecate: certificate ", "")).toList();
    }
}
