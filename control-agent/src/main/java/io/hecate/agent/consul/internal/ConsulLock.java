package io.hecate.agent.consul.internal;

import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import com.ecwid.consul.v1.session.model.NewSession;
import com.ecwid.consul.v1.session.model.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cluster-wide lock on one KV key, held by a Consul session (Consul's own leader-election
 * recipe). The session has a TTL and is renewed on a daemon thread while this lock is wanted or
 * held, so a node that dies or loses Consul lets go by itself: Consul invalidates the session,
 * releases the key, and keeps it from being taken again for the lock delay. Closing releases the
 * key and destroys the session.
 */
public final class ConsulLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsulLock.class);
    /** Consul's minimum is 10 s; Consul may wait up to twice this before invalidating a silent holder. */
    static final Duration TTL = Duration.ofSeconds(15);
    /** After a holder's session is invalidated, how long before another may take the key. */
    static final Duration LOCK_DELAY = Duration.ofSeconds(1);

    private final ConsulConnection connection;
    private final String key;
    private final String session;
    private final String holder;
    private final ScheduledExecutorService renewal;

    private ConsulLock(ConsulConnection connection, String key, String session, String holder) {
        this.connection = connection;
        this.key = key;
        this.session = session;
        this.holder = holder;
        this.renewal = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "hecate-consul-lock");
            thread.setDaemon(true);
            return thread;
        });
        long every = TTL.toMillis() / 2;
        renewal.scheduleAtFixedRate(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock on {@code key}, waiting (by blocking queries on the key) while another session
     * holds it.
     *
     * @param purpose what the lock is for, the session's name in Consul's UI
     * @throws ConsulUnavailableException when Consul cannot be asked; nothing is left held
     * @throws InterruptedException       when interrupted while waiting; nothing is left held
     */
    public static ConsulLock acquire(ConsulConnection connection, String key, String purpose)
            throws ConsulUnavailableException, InterruptedException {
        NewSession request = new NewSession();
        request.setName("hecate: " + purpose);
        request.setTtl(TTL.toSeconds() + "s");
        request.setBehavior(Session.Behavior.RELEASE);
        // Consul reads a number below 1000 as seconds.
        request.setLockDelay(LOCK_DELAY.toSeconds());
        String id = connection.call("create a session for " + key,
                () -> connection.client().sessionCreate(request, connection.now()).getValue());
        // Who holds it, for an operator reading the key: "pid@host".
        ConsulLock lock = new ConsulLock(connection, key, id, ManagementFactory.getRuntimeMXBean().getName());
        try {
            lock.await();
            return lock;
        } catch (ConsulUnavailableException | InterruptedException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Tries to take the key until it succeeds; between tries, waits for the holder to let go. */
    private void await() throws ConsulUnavailableException, InterruptedException {
        while (!tryAcquire()) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted waiting for the lock " + key);
            }
            Response<GetValue> current = connection.call("read the lock " + key,
                    () -> connection.client().getKVValue(key, connection.now()));
            if (free(current)) {
                // Free, yet refused: the lock delay after an invalidated holder, or a holder that just let go.
                Thread.sleep(LOCK_DELAY.toMillis());
                continue;
            }
            LOG.info("Waiting for the lock {}, held by session {} ({})", key, current.getValue().getSession(),
                    current.getValue().getDecodedValue());
            long index = current.getConsulIndex();
            while (!free(current)) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted waiting for the lock " + key);
                }
                long after = index;
                current = connection.call("wait for the lock " + key,
                        () -> connection.client().getKVValue(key, connection.after(after)));
                // An index that went backwards (Consul's state was reset) starts the wait over.
                index = current.getConsulIndex() < index ? 0 : current.getConsulIndex();
            }
        }
    }

    private static boolean free(Response<GetValue> current) {
        return current.getValue() == null || current.getValue().getSession() == null;
    }

    private boolean tryAcquire() throws ConsulUnavailableException {
        PutParams acquire = new PutParams();
        acquire.setAcquireSession(session);
        return Boolean.TRUE.equals(connection.call("take the lock " + key,
                () -> connection.client().setKVValue(key, holder, acquire).getValue()));
    }

    private void renew() {
        try {
            connection.call("renew the session of the lock " + key,
                    () -> connection.client().renewSession(session, connection.now()));
        } catch (ConsulUnavailableException e) {
            if (e.status() == 404) {
                // Nothing to renew any more: Consul released the key when it invalidated the session.
                LOG.warn("The lock {} was lost: its session expired (Consul was unreachable for longer than its TTL);"
                        + " another node may take it", key);
                renewal.shutdown();
            } else {
                LOG.warn("Could not renew the session of the lock {}, trying again in {} s: {}", key,
                        TTL.toSeconds() / 2, e.getMessage());
            }
        }
    }

    /** Releases the key and destroys the session; when Consul cannot be reached, its TTL frees the key. */
    @Override
    public void close() {
        renewal.shutdownNow();
        try {
            PutParams release = new PutParams();
            release.setReleaseSession(session);
            connection.call("release the lock " + key, () -> connection.client().setKVValue(key, holder, release));
            connection.call("destroy the session of the lock " + key,
                    () -> connection.client().sessionDestroy(session, connection.now()));
        } catch (ConsulUnavailableException e) {
            LOG.warn("Could not let go of the lock {} (release it, destroy its session); Consul frees it when the"
                    + " session expires, within {} s: {}", key, TTL.toSeconds() * 2, e.getMessage());
        }
    }
}
