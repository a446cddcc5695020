package io.hecate.agent.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code hecate run} in a JVM of its own, started from the test classpath like the real thing. */
final class HecateProcess implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private HecateProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static HecateProcess run(Path config, Path dir) throws IOException {
        Path stdout = dir.resolve("hecate.out");
        Path stderr = dir.resolve("hecate.err");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                // Small and quick to start: the machine is shared.
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // Its leak reports end up in this test's output (see close()), where .ci/run looks.
                "-Dio.netty.leakDetection.level=paranoid",
                HecateCommand.class.getName(), "run", "--config", config.toString());
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        return new HecateProcess(process, stdout, stderr);
    }

    Process process() {
        return process;
    }

    /** The application log so far. */
    String log() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the admin API says ready and the signal handlers are in place. */
    void awaitReady(HttpClient client, int adminPort) {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    assertThat(process.isAlive()).as("hecate exited early:%n%s", log()).isTrue();
                    return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200
                            && log().contains("SIGHUP reloads");
                });
    }

    /** Sends a signal the JDK cannot send itself; {@code sh}'s built-in kill needs no extra package. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid())
                .inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s finished", name).isTrue();
        assertThat(kill.exitValue()).as("kill -%s exit code", name).isZero();
    }

    /** Kills what is left and copies the child's output into this test's output. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        System.out.println("---- hecate stderr ----");
        System.out.println(Files.readString(stderr));
        System.out.println("---- hecate stdout ----");
        System.out.println(Files.readString(stdout));
    }
}
