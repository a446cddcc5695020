package io.hecate.core.internal.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.hecate.core.config.AccessLogConfig;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes one JSON line per exchange. Event loops only enqueue into a bounded lock-free queue; a
 * single writer thread formats and writes. When the writer falls behind, lines are dropped and
 * counted: a slow disk must never slow requests down.
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final MpscArrayQueue<AccessLogEntry> queue;
    private final LongAdder dropped;
    private final OutputStream out;
    private final boolean ownsStream;
    private final Thread writer;
    private volatile boolean running = true;

    private AccessLog(int capacity, LongAdder dropped, OutputStream out, boolean ownsStream) {
        this.queue = new MpscArrayQueue<>(capacity);
        this.dropped = dropped;
        this.out = out;
        this.ownsStream = ownsStream;
        this.writer = new Thread(this::drain, "hecate-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Returns {@code null} for {@code off}; {@code dropped} is shared so the count survives reloads. */
    public static AccessLog open(AccessLogConfig config, LongAdder dropped) throws IOException {
        return switch (config.output()) {
            case AccessLogConfig.OFF -> null;
            case AccessLogConfig.STDOUT -> new AccessLog(config.queueSize(), dropped, System.out, false);
            case AccessLogConfig.STDERR -> new AccessLog(config.queueSize(), dropped, System.err, false);
            default -> new AccessLog(config.queueSize(), dropped,
                    new BufferedOutputStream(new FileOutputStream(config.output(), true), 65536), true);
        };
    }

    public void log(AccessLogEntry entry) {
        if (!queue.relaxedOffer(entry)) {
            dropped.increment();
        }
    }

    private void drain() {
        try {
            JsonGenerator json = JSON.createGenerator(out);
            json.setRootValueSeparator(null);
            while (running || !queue.isEmpty()) {
                AccessLogEntry entry = queue.relaxedPoll();
                if (entry == null) {
                    json.flush();
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                    continue;
                }
                AccessLogFormat.write(json, entry);
            }
            json.flush();
        } catch (IOException e) {
            LOG.error("access log writer stopped: {}", e.toString());
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
            if (ownsStream) {
                out.close();
            } else {
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("closing access log: {}", e.toString());
        }
    }
}
