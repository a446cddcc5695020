package io.hecate.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.hecate.core.internal.log.AccessLogEntry;
import io.hecate.core.internal.log.AccessLogFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.OutputStream;

/** Formatting one access log line as the writer thread does, into a stream that discards it. */
@State(Scope.Thread)
public class AccessLogFormatBenchmark {

    private static final OutputStream DISCARD = OutputStream.nullOutputStream();

    private final AccessLogEntry entry = new AccessLogEntry(1_780_000_000_000L, "app", "10.0.0.1:8080", "GET",
            "/api/v1/users/42?fields=name,email", 200, 0, 1024, 412, "192.0.2.10", null);
    private JsonGenerator json;

    @Setup
    public void open() throws IOException {
        json = new JsonFactory().createGenerator(DISCARD);
        json.setRootValueSeparator(null);
    }

    @TearDown
    public void close() throws IOException {
        json.close();
    }

    @Benchmark
    public void formatLine() throws IOException {
        AccessLogFormat.write(json, entry);
        json.flush();
    }
}
