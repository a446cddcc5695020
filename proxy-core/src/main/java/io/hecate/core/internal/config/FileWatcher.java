package io.hecate.core.internal.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Reports changes of one file on a daemon thread of its own.
 *
 * <p>It watches the file's directory rather than the file, because editors save by writing a new
 * file and renaming it over the old one, and Kubernetes updates a ConfigMap volume by swapping a
 * symlink: neither touches the watched file's own entry. Any event in the directory therefore only
 * makes it look at the file again, and it reports a change when the file's modification time, size
 * or content differ from the last version it saw. Bursts of events (an editor writes, renames,
 * touches) are debounced into one report. A file that disappeared is not reported: loading it
 * would only fail, and the rename that puts the next version in place will be.
 */
public final class FileWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

    public static final String THREAD_NAME = "hecate-config-watch";

    /**
     * Without this cap, a directory that never goes quiet (a log file next to the config) would
     * delay a reload forever.
     */
    private static final Duration MAX_DELAY = Duration.ofSeconds(2);

    private final Path file;
    private final Duration quietPeriod;
    private final Runnable onChange;
    private final WatchService watchService;
    private final Thread thread;
    private volatile boolean closed;
    private Fingerprint last;

    /**
     * Starts watching at once: a change made after this returns is reported.
     *
     * @param quietPeriod how long the directory must be still before the file is looked at
     * @throws UncheckedIOException when the directory cannot be watched
     */
    public FileWatcher(Path file, Duration quietPeriod, Runnable onChange) {
        this.file = file.toAbsolutePath();
        this.quietPeriod = quietPeriod;
        this.onChange = onChange;
        this.last = Fingerprint.of(this.file);
        this.watchService = register(this.file.getParent());
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    private static WatchService register(Path directory) {
        WatchService service = null;
        try {
            service = directory.getFileSystem().newWatchService();
            directory.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            return service;
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("cannot watch " + directory, e);
            if (service != null) {
                try {
                    service.close();
                } catch (IOException closeFailure) {
                    failure.addSuppressed(closeFailure);
                }
            }
            throw failure;
        }
    }

    private void run() {
        try {
            // A change between taking the first fingerprint and registering raised no event, so
            // look once without waiting for one.
            settle();
            checkForChange();
            while (!closed) {
                drain(watchService.take());
                settle();
                checkForChange();
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // close() was called
        } catch (DirectoryGone e) {
            log.warn("Stopped watching {}: its directory can no longer be watched", file);
        }
    }

    private void checkForChange() {
        Fingerprint now = Fingerprint.of(file);
        if (now != null && !now.equals(last)) {
            last = now;
            notifyChange();
        }
    }

    /** Waits for the directory to go quiet, or for the cap to pass. */
    private void settle() throws InterruptedException {
        long deadline = System.nanoTime() + MAX_DELAY.toNanos();
        long quietNanos = quietPeriod.toNanos();
        WatchKey key;
        while ((key = watchService.poll(Math.min(quietNanos, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS)) != null) {
            drain(key);
            if (System.nanoTime() >= deadline) {
                return;
            }
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        if (!key.reset()) {
            throw new DirectoryGone();
        }
    }

    private void notifyChange() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            log.error("Reacting to a change of {} failed", file, e);
        }
    }

    /** Stops the thread and waits briefly for it to end. */
    @Override
    public void close() {
        closed = true;
        try {
            watchService.close();
        } catch (IOException e) {
            log.debug("Closing the watch service of {} failed", file, e);
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The watched directory was deleted or unmounted. */
    private static final class DirectoryGone extends RuntimeException {
        DirectoryGone() {
            super(null, null, false, false);
        }
    }

    /** Enough of a file's state to tell one version from the next; follows symlinks. */
    private record Fingerprint(long modified, long size, byte[] sha256) {

        /** {@code null} when the file cannot be read right now (deleted, mid-rename). */
        static Fingerprint of(Path file) {
            try {
                long modified = Files.getLastModifiedTime(file).toMillis();
                byte[] content = Files.readAllBytes(file);
                return new Fingerprint(modified, content.length, MessageDigest.getInstance("SHA-256").digest(content));
            } catch (IOException e) {
                return null;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Fingerprint that && modified == that.modified && size == that.size
                    && Arrays.equals(sha256, that.sha256);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(modified) * 31 + Arrays.hashCode(sha256);
        }
    }
}
