package io.hecate.core.config;

/**
 * Where access log lines go.
 *
 * @param output    {@code stdout}, {@code stderr}, {@code off}, or a file path (appended to)
 * @param queueSize lines that may wait for the writer; beyond that lines are dropped and counted
 */
public record AccessLogConfig(String output, int queueSize) {

    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
    public static final String OFF = "off";
    public static final int DEFAULT_QUEUE_SIZE = 65536;

    public static AccessLogConfig defaults() {
        return new AccessLogConfig(STDOUT, DEFAULT_QUEUE_SIZE);
    }

    public static AccessLogConfig off() {
        return new AccessLogConfig(OFF, DEFAULT_QUEUE_SIZE);
    }
}
