package io.hecate.core.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.hecate.core.testing.H2Client;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backpressure per HTTP/2 stream: a stream whose client reads slowly makes the proxy read its
 * upstream slowly, while another stream on the same connection runs at full speed.
 */
class Http2BackpressureTest {

    private static final Logger LOG = LoggerFactory.getLogger(Http2BackpressureTest.class);

    private static final long MIB = 1024 * 1024;
    private static final long SIZE = 32 * MIB;
    /**
     * 32 MiB in about 4 s. The client's stream window is the default 64 KiB and it gives credit
     * back only at this pace; unpaced, the same download through the proxy runs at about 55 MiB/s
     * here (the test client copies and checks every byte), so the proxy's stream is blocked by flow
     * control most of the time.
     */
    private static final long READ_RATE = 8 * MIB;
    /**
     * Same bound and reasoning as {@link BackpressureTest}: what the proxy may hold per stream is
     * the stream channel's write high-water mark (64 KiB) plus one upstream read; without per-stream
     * backpressure it would buffer most of the 32 MiB.
     */
    private static final long MAX_BUFFER_GROWTH = 16 * MIB;
    private static final String DIRECT = ProxyFixture.key("hecate_buffer_memory_bytes", "kind", "direct");
    private static final String HEAP = ProxyFixture.key("hecate_buffer_memory_bytes", "kind", "heap");

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    @AutoClose
    private H2Client h2;

    @Test
    void slowStreamKeepsProxyMemorySmallAndDoesNotSlowItsNeighbour() throws Exception {
        backend = TestBackend.start();
        proxy = ProxyFixture.proxyTo(backend.address());
        h2 = H2Client.connect(proxy.http());
        Map<String, Double> before = proxy.metrics();

        AtomicBoolean done = new AtomicBoolean();
        AtomicLong maxDirect = new AtomicLong();
        AtomicLong maxHeap = new AtomicLong();
        AtomicInteger samples = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            for (int i = 0; i < 1000 && !done.get(); i++) {
                Map<String, Double> m = proxy.metrics();
                maxDirect.accumulateAndGet(m.get(DIRECT).longValue(), Math::max);
                maxHeap.accumulateAndGet(m.get(HEAP).longValue(), Math::max);
                samples.incrementAndGet();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }, "metrics-sampler");
        sampler.setDaemon(true);

        long started = System.nanoTime();
        H2Client.PacedDownload slow = h2.download("/bytes?n=" + SIZE, READ_RATE);
        assertThat(slow.status().get(10, TimeUnit.SECONDS)).isEqualTo(200);
        sampler.start();
        try {
            // While the slow stream is held back by its window, a neighbour on the same connection is not.
            long neighbourStarted = System.nanoTime();
            H2Client.Response neighbour = h2.get("/bytes?n=" + 4 * MIB).get(10, TimeUnit.SECONDS);
            long neighbourMillis = (System.nanoTime() - neighbourStarted) / 1_000_000;
            assertThat(neighbour.body()).hasSize((int) (4 * MIB));
            assertThat(slow.done()).as("the neighbour finished while the slow stream still runs").isNotDone();
            LOG.info(String.format("h2 backpressure: 4 MiB neighbour in %d ms while the slow stream had %d bytes",
                    neighbourMillis, slow.received()));

            assertThat(slow.done().get(60, TimeUnit.SECONDS)).isEqualTo(SIZE);
        } finally {
            done.set(true);
            sampler.join(5000);
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        LOG.info(String.format("h2 backpressure: %d bytes in %d ms, %d samples, direct before=%s max=%d, heap before=%s max=%d",
                SIZE, elapsedMillis, samples.get(), before.get(DIRECT), maxDirect.get(), before.get(HEAP), maxHeap.get()));
        assertThat(elapsedMillis).as("the reader's pace was the bottleneck").isGreaterThan(3000);
        assertThat(samples.get()).isGreaterThanOrEqualTo(10);
        assertThat(maxDirect.get() - before.get(DIRECT).longValue())
                .as("growth of direct buffer memory while one stream reads 32 MiB slowly")
                .isLessThan(MAX_BUFFER_GROWTH);
        assertThat(maxHeap.get() - before.get(HEAP).longValue())
                .as("growth of heap buffer memory while one stream reads 32 MiB slowly")
                .isLessThan(MAX_BUFFER_GROWTH);
    }
}
