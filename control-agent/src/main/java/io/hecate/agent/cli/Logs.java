package io.hecate.agent.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** The application log's lifecycle (the access log is Hecate's own and flushes on stop). */
final class Logs {

    private Logs() {
    }

    /** The async appender holds lines in memory; stopping the context writes them before the JVM exits. */
    static void flush() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }
}
