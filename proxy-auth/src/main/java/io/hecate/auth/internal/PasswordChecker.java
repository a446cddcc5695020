package io.hecate.auth.internal;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs bcrypt verifications, which take tens of milliseconds of CPU each, on a small bounded pool
 * of daemon threads so they never run on an event loop. When the queue is full the check is
 * refused rather than queued without bound.
 */
public final class PasswordChecker {

    private static final BCrypt.Verifyer VERIFYER =
            BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));

    private final ThreadPoolExecutor executor;

    public PasswordChecker(int threads, int queue) {
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, "hecate-bcrypt-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /** One thread per two CPUs (at least one, at most four), 256 checks queued at most. */
    public static PasswordChecker defaults() {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        return new PasswordChecker(threads, 256);
    }

    /**
     * Verifies {@code password} against the bcrypt {@code hash} off the caller's thread; the
     * answer is handed to {@code then} on {@code back} (the caller's event loop).
     *
     * @return false when too many checks are waiting already (nothing will be called)
     */
    public boolean verify(String password, String hash, Executor back, java.util.function.Consumer<Boolean> then) {
        try {
            executor.execute(() -> {
                boolean ok;
                try {
                    ok = VERIFYER.verify(password.toCharArray(), hash.toCharArray()).verified;
                } catch (RuntimeException malformed) {
                    ok = false;
                }
                boolean verified = ok;
                back.execute(() -> then.accept(verified));
            });
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    /** Whether {@code hash} is a bcrypt hash this checker can verify against ($2a$, $2b$, $2y$). */
    public static boolean isBcrypt(String hash) {
        return hash.matches("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    }
}
