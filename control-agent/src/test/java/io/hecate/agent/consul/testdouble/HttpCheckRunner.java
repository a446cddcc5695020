package io.hecate.agent.consul.testdouble;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the agent's HTTP checks for real, as https://developer.hashicorp.com/consul/docs/services/usage/checks
 * ("HTTP checks") describes: a request to the URL every Interval, the first one after a random stagger
 * within the interval; a 2xx answer is passing, 429 Too Many Requests is warning, any other answer — or
 * none within Timeout (default 10s) — is critical. The output is Consul's "HTTP GET url: 200 OK Output: body".
 *
 * <p>Simplifications: no TLS options (TLSServerName, TLSSkipVerify), no request Body, and the
 * success_before_passing / failures_before_critical counters are always 0 (Consul's default).
 */
final class HttpCheckRunner {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final int MAX_OUTPUT = 4 * 1024;

    /** Receives each result. */
    interface Sink {
        void result(String checkId, String status, String output);
    }

    record Spec(String checkId, URI url, String method, Map<String, List<String>> headers,
                Duration interval, Duration timeout) {
    }

    private final ScheduledExecutorService scheduler;
    private final HttpClient client;
    private final Sink sink;
    private final Map<String, Spec> specs = new ConcurrentHashMap<>();
    private final Map<String, Long> runIds = new ConcurrentHashMap<>();
    private volatile boolean paused;

    HttpCheckRunner(ScheduledExecutorService scheduler, Sink sink) {
        this.scheduler = scheduler;
        this.sink = sink;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(DEFAULT_TIMEOUT)
                .executor(scheduler)
                .build();
    }

    /** Starts (or restarts) running a check. */
    void start(Spec spec) {
        specs.put(spec.checkId(), spec);
        long run = runIds.merge(spec.checkId(), 1L, Long::sum);
        if (!paused) {
            long stagger = ThreadLocalRandom.current().nextLong(Math.max(1, spec.interval().toNanos()));
            scheduler.schedule(() -> runOnce(spec.checkId(), run), stagger, TimeUnit.NANOSECONDS);
        }
    }

    void stop(String checkId) {
        specs.remove(checkId);
        runIds.merge(checkId, 1L, Long::sum);
    }

    /** The agent is down: no more checks run until {@link #resume}. */
    void pause() {
        paused = true;
        runIds.replaceAll((id, run) -> run + 1);
    }

    void resume() {
        paused = false;
        specs.values().forEach(this::start);
    }

    private void runOnce(String checkId, long run) {
        Spec spec = specs.get(checkId);
        if (spec == null || paused || runIds.getOrDefault(checkId, 0L) != run) {
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(spec.url())
                .timeout(spec.timeout())
                .header("User-Agent", "Consul Health Check")
                .header("Accept", "text/plain, text/*, */*")
                .method(spec.method(), HttpRequest.BodyPublishers.noBody());
        spec.headers().forEach((name, values) -> values.forEach(v -> request.header(name, v)));
        long started = System.nanoTime();
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(spec.timeout().toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((response, error) -> {
                    if (runIds.getOrDefault(checkId, 0L) != run || paused) {
                        return;
                    }
                    if (error != null) {
                        sink.result(checkId, "critical", "Get \"" + spec.url() + "\": " + describe(error));
                    } else {
                        int code = response.statusCode();
                        String status = code >= 200 && code <= 299 ? "passing" : code == 429 ? "warning" : "critical";
                        byte[] body = response.body();
                        String text = new String(body, 0, Math.min(body.length, MAX_OUTPUT), StandardCharsets.UTF_8);
                        sink.result(checkId, status, "HTTP " + spec.method() + " " + spec.url() + ": " + code
                                + " Output: " + text);
                    }
                    long elapsed = System.nanoTime() - started;
                    long next = Math.max(0, spec.interval().toNanos() - elapsed);
                    scheduler.schedule(() -> runOnce(checkId, run), next, TimeUnit.NANOSECONDS);
                });
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
            return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        }
        return String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
    }
}
