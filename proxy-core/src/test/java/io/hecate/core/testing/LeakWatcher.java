package io.hecate.core.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Collects the reports of Netty's leak detector (logged by {@link ResourceLeakDetector} as
 * {@code LEAK: ...}) while installed, so a test can assert there were none. The detector only
 * notices a leaked buffer after the garbage collector has found it unreachable and a later
 * allocation polls the reference queue; {@link #collect()} forces both.
 */
public final class LeakWatcher implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LeakWatcher() {
        appender.setName("leak-watcher");
        appender.start();
        logger.addAppender(appender);
    }

    public static LeakWatcher install() {
        return new LeakWatcher();
    }

    /** Runs the GC a few times and allocates after each run, so unreachable leaked buffers get reported. */
    public List<String> collect() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < 64; i++) {
                ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(64);
                direct.release();
                ByteBuf heap = ByteBufAllocator.DEFAULT.heapBuffer(64);
                heap.release();
            }
        }
        return reports();
    }

    public List<String> reports() {
        synchronized (appender.list) {
            return appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .filter(message -> message.contains("LEAK"))
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
