package io.hecate.agent.cli;

import io.hecate.core.Hecate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ties the process to a running proxy: SIGHUP reloads the configuration, SIGTERM and SIGINT drain
 * requests in flight for the configured {@code drain_timeout} and stop; a second one stops at once.
 */
final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final Hecate hecate;
    private final AtomicBoolean stopping = new AtomicBoolean();

    Lifecycle(Hecate hecate) {
        this.hecate = hecate;
    }

    void install() {
        // Covers every exit the handlers below do not see: System.exit, or SIGTERM on a JVM
        // without sun.misc.Signal (the process then exits 143 instead of 0, but still drains).
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopFromShutdownHook, "hecate-shutdown"));
        // Handled here rather than by the hook alone so that a graceful stop exits 0.
        Signals.handle("TERM", () -> onStopSignal("SIGTERM"));
        Signals.handle("INT", () -> onStopSignal("SIGINT"));
        if (Signals.handle("HUP", this::reloadInBackground)) {
            LOG.info("SIGHUP reloads the configuration; SIGTERM or SIGINT drains and stops");
        }
    }

    private void onStopSignal(String signal) {
        if (!stopping.compareAndSet(false, true)) {
            LOG.warn("{} again: stopping without waiting for requests in flight", signal);
            System.exit(Exit.FORCED);
        }
        Duration drain = hecate.config().drainTimeout();
        LOG.info("{}: draining requests in flight for up to {}, then stopping (send it again to stop at once)",
                signal, readable(drain));
        // Not on the signal's own thread: how the JVM runs handlers is unspecified, and a drain
        // may take all of drain_timeout.
        Thread stopper = new Thread(() -> stop(drain), "hecate-stop");
        stopper.start();
    }

    private void stop(Duration drain) {
        try {
            hecate.stop(drain);
        } catch (RuntimeException e) {
            // awaitStop() would never return: exit rather than hang half-stopped.
            LOG.error("stopping failed", e);
            System.exit(Exit.PROBLEMS);
        }
    }

    /** In the configuration file's own syntax, e.g. {@code 30s} or {@code 1500ms}. */
    private static String readable(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private void stopFromShutdownHook() {
        if (stopping.compareAndSet(false, true)) {
            hecate.stop(hecate.config().drainTimeout());
        }
        Logs.flush();
    }

    private void reloadInBackground() {
        Thread reloader = new Thread(() -> {
            try {
                Hecate.ReloadResult result = hecate.reload();
                if (result.applied()) {
                    LOG.info("SIGHUP: {}", result.message());
                } else {
                    // The problems themselves were already logged when the file was rejected.
                    LOG.warn("SIGHUP: {}", result.message().lines().findFirst().orElse("reload failed"));
                }
            } catch (RuntimeException e) {
                LOG.warn("SIGHUP: reload failed", e);
            }
        }, "hecate-sighup");
        reloader.setDaemon(true);
        reloader.start();
    }
}
