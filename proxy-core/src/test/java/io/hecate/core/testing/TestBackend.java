package io.hecate.core.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 origin server for the proxy tests, on the JDK's {@code com.sun.net.httpserver}
 * (loopback, ephemeral port, a small fixed thread pool). Every request is counted and recorded with
 * all its headers, whatever the handler.
 *
 * <ul>
 *   <li>{@code /echo} (any method): answers 200 with the request body byte for byte (fixed length,
 *       or chunked with {@code ?chunked=1}); reflects the method, URI and the Host,
 *       X-Forwarded-*, Via, Connection, Transfer-Encoding and Content-Length it received as
 *       {@code X-Echo-*} response headers.</li>
 *   <li>{@code /bytes?n=N[&chunked=1]}: N bytes of {@link Pattern}, fixed length or chunked. A HEAD
 *       gets the Content-Length (or chunked framing) and no body.</li>
 *   <li>{@code /slow?ms=D[&n=N]}: waits D ms before the response head (on a latch that
 *       {@link #close()} opens, so nothing outlives the test), then N pattern bytes (default 9,
 *       {@code "slow-done"}-sized).</li>
 *   <li>anything else: 200 {@code "ok <path>"}.</li>
 * </ul>
 */
public final class TestBackend implements AutoCloseable {

    /** Echo handler reflects these request headers as {@code X-Echo-<name>}. */
    private static final List<String> REFLECTED = List.of("Host", "X-Forwarded-For", "X-Forwarded-Proto",
            "X-Forwarded-Host", "Via", "Connection", "Transfer-Encoding", "Content-Length");

    /** One request as the backend saw it; header names are case-insensitive. */
    public record Recorded(String method, String uri, Map<String, List<String>> headers) {
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : String.join(", ", values);
        }
    }

    static {
        // The JDK server writes a response head and body in separate writes; with Nagle on, the
        // second write waits for the proxy's delayed ACK (~40 ms per keep-alive request).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger requests = new AtomicInteger();
    private final ConcurrentLinkedQueue<Recorded> recorded = new ConcurrentLinkedQueue<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final String name;

    private TestBackend(String name, int port) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "backend-" + name + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
    }

    public static TestBackend start() throws IOException {
        return start("app");
    }

    public static TestBackend start(String name) throws IOException {
        return new TestBackend(name, 0);
    }

    /** A backend on a given loopback port, e.g. to bring back one that was closed on the same address. */
    public static TestBackend start(String name, int port) throws IOException {
        return new TestBackend(name, port);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:port}, the form the proxy's target key and metric label use. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    public String name() {
        return name;
    }

    /** Requests that reached this backend, whatever their path. */
    public int requestCount() {
        return requests.get();
    }

    public List<Recorded> recorded() {
        return List.copyOf(recorded);
    }

    public Recorded lastRecorded() {
        Recorded last = null;
        for (Recorded r : recorded) {
            last = r;
        }
        return last;
    }

    public void clearRecorded() {
        recorded.clear();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            recorded.add(record(exchange));
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI());
            exchange.getResponseHeaders().set("X-Backend", name);
            switch (path) {
                case "/echo" -> echo(exchange, query);
                case "/bytes" -> bytes(exchange, query);
                case "/slow" -> slow(exchange, query);
                default -> {
                    drain(exchange.getRequestBody());
                    send(exchange, 200, ("ok " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8), false);
                }
            }
        } catch (IOException e) {
            // The peer (the proxy) went away mid-exchange: expected in the abort tests.
        }
    }

    private static Recorded record(HttpExchange exchange) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
        return new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                Collections.unmodifiableMap(headers));
    }

    private static void echo(HttpExchange exchange, Map<String, String> query) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Headers in = exchange.getRequestHeaders();
        Headers out = exchange.getResponseHeaders();
        out.set("X-Echo-Method", exchange.getRequestMethod());
        out.set("X-Echo-Uri", exchange.getRequestURI().toString());
        for (String header : REFLECTED) {
            List<String> values = in.get(header);
            if (values != null && !values.isEmpty()) {
                out.set("X-Echo-" + header, String.join(", ", values));
            }
        }
        out.set("Content-Type", "application/octet-stream");
        send(exchange, 200, body, "1".equals(query.get("chunked")));
    }

    private static void bytes(HttpExchange exchange, Map<String, String> query) throws IOException {
        drain(exchange.getRequestBody());
        long n = Long.parseLong(query.getOrDefault("n", "0"));
        boolean chunked = "1".equals(query.get("chunked"));
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            if (!chunked) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(n));
            }
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, chunked ? 0 : (n == 0 ? -1 : n));
        if (n > 0) {
            try (OutputStream body = exchange.getResponseBody()) {
                Pattern.write(body, n);
            }
        }
    }

    private void slow(HttpExchange exchange, Map<String, String> query) throws IOException {
        drain(exchange.getRequestBody());
        long delayMillis = Long.parseLong(query.getOrDefault("ms", "1000"));
        try {
            // Waits the delay unless the backend is closing: never sleeps past the test.
            closing.await(delayMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int n = Integer.parseInt(query.getOrDefault("n", "9"));
        send(exchange, 200, n == 9 ? "slow-done".getBytes(StandardCharsets.US_ASCII) : Pattern.bytes(n), false);
    }

    private static void send(HttpExchange exchange, int status, byte[] body, boolean chunked) throws IOException {
        if (chunked) {
            exchange.sendResponseHeaders(status, 0);
        } else {
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        }
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } else if (chunked) {
            exchange.getResponseBody().close();
        }
    }

    private static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> result = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return result;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                result.put(pair.substring(0, eq), pair.substring(eq + 1));
            } else if (!pair.isEmpty()) {
                result.put(pair, "");
            }
        }
        return result;
    }

    /** Opens every waiting slow handler, then stops the server and its threads. */
    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
