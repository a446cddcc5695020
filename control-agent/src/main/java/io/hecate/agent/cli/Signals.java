package io.hecate.agent.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs POSIX signal handlers through {@code sun.misc.Signal} (module {@code jdk.unsupported}).
 * Where that fails, the JVM's own handling stays: SIGTERM, SIGINT and SIGHUP run the shutdown
 * hook, still a graceful stop, but with exit code 128 + the signal's number.
 */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /**
     * Runs {@code action} whenever the signal arrives, on a thread of the JVM's choosing.
     *
     * @param name the signal without its {@code SIG} prefix, e.g. {@code HUP}
     * @return whether the handler was installed
     */
    static boolean handle(String name, Runnable action) {
        try {
            if (Native.handle(name, action)) {
                return true;
            }
            // The JVM leaves a signal alone that the process started with ignored.
            LOG.info("SIG{} is ignored by this process (started in the background or under nohup?)", name);
            return false;
        } catch (LinkageError | IllegalArgumentException e) {
            LOG.warn("cannot handle SIG{} on this JVM ({}); keeping its default behaviour", name, e.toString());
            return false;
        }
    }

    /** Kept apart so that a missing {@code sun.misc.Signal} fails here, where it is caught. */
    private static final class Native {
        /** @return false when the signal stays ignored */
        static boolean handle(String name, Runnable action) {
            return sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run())
                    != sun.misc.SignalHandler.SIG_IGN;
        }
    }
}
