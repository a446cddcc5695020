package io.hecate.auth.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TEST DOUBLE of an Authentik proxy outpost (Authentik itself cannot be installed here): a real
 * HTTP/1.1 server on loopback (JDK {@code com.sun.net.httpserver}) that follows Authentik's
 * documented forward-auth behaviour closely enough to test a proxy against it.
 *
 * <ul>
 *   <li>The session cookie is {@code authentik_proxy_<8 hex>} (the hex fixed per instance), its
 *       value a random session id; {@link #signIn(Identity)} makes one directly.</li>
 *   <li>{@code /outpost.goauthentik.io/auth/nginx}: 200 with the identity headers
 *       ({@code X-authentik-username}, {@code -groups} and {@code -entitlements} pipe-separated,
 *       {@code -email}, {@code -name}, {@code -uid}, {@code -jwt}, {@code -meta-jwks},
 *       {@code -meta-outpost}, {@code -meta-provider}, {@code -meta-app}, {@code -meta-version},
 *       and {@code Authorization} when {@link #sendBasicAuthorization} is set) when the cookie
 *       names a live session; otherwise 401 with a {@code Set-Cookie} for a new (signed-out)
 *       session that remembers {@code X-Original-URL}, as the outpost does.</li>
 *   <li>{@code /auth/caddy} and {@code /auth/traefik}: the same 200, or a 302 to
 *       {@code <proto>://<host>/outpost.goauthentik.io/start?rd=<original URL>} built from the
 *       {@code X-Forwarded-*} headers, with the same {@code Set-Cookie}. (The real outpost
 *       redirects to the authorization flow of the Authentik server; the double skips that hop.)</li>
 *   <li>{@code /start?rd=URL}: signs in {@link #DEFAULT_USER} (standing in for the whole login flow),
 *       sets the session cookie and redirects to {@code rd}. {@code /callback?code=C}: the same for
 *       the session stored under {@code C} by {@link #authorizationCode}, back to the remembered URL.
 *       {@code /sign_out}: ends the session.</li>
 * </ul>
 *
 * Every request is counted by path and recorded with its headers. It can be made slow
 * ({@link #delay}), made to fail ({@link #failWith}) or stopped ({@link #close}).
 */
public final class AuthentikOutpostDouble implements AutoCloseable {

    public static final String PREFIX = "/outpost.goauthentik.io";

    /** Who a session belongs to. */
    public record Identity(String username, List<String> groups, List<String> entitlements, String email,
                           String name, String uid) {
    }

    public static final Identity DEFAULT_USER = new Identity("akadmin", List.of("authentik Admins", "users"),
            List.of(), "admin@example.test", "authentik Default Admin", "f00dfeedf00dfeed");

    /** One request as the double saw it; header names are case-insensitive; the port tells connections apart. */
    public record Recorded(String method, String uri, Map<String, List<String>> headers, int remotePort) {
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : String.join(", ", values);
        }
    }

    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final String cookieName;
    private final Map<String, Identity> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> pendingRedirects = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Recorded> recorded = new ConcurrentLinkedQueue<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final SecureRandom random = new SecureRandom();
    private volatile Duration delay = Duration.ZERO;
    private volatile int failWith;
    private volatile String basicAuthorization;
    private volatile String lastLocation;
    private volatile String lastSetCookie;

    private AuthentikOutpostDouble() throws IOException {
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        this.cookieName = "authentik_proxy_" + HexFormat.of().formatHex(suffix);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "authentik-double-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
    }

    public static AuthentikOutpostDouble start() throws IOException {
        return new AuthentikOutpostDouble();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:port}, the outpost URL to configure. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public String cookieName() {
        return cookieName;
    }

    /** Starts a session for {@code identity}; returns the {@code Cookie} header value that carries it. */
    public String signIn(Identity identity) {
        String session = newId();
        sessions.put(session, identity);
        return cookieName + "=" + session;
    }

    /** Stores a signed-in session under an authorization code for {@code /callback?code=...}. */
    public String authorizationCode(Identity identity, String returnTo) {
        String code = newId();
        sessions.put("code:" + code, identity);
        pendingRedirects.put("code:" + code, returnTo);
        return code;
    }

    /** Every answer is held back this long (until {@link #close}, which releases them). */
    public void delay(Duration value) {
        this.delay = value;
    }

    /** Auth endpoints answer this status with a short body; 0 goes back to normal. */
    public void failWith(int status) {
        this.failWith = status;
    }

    /** On 200, also send {@code Authorization: value}, as a provider with HTTP Basic on does. */
    public void sendBasicAuthorization(String value) {
        this.basicAuthorization = value;
    }

    /** Calls to the auth endpoints ({@code /auth/nginx}, {@code /auth/caddy}, {@code /auth/traefik}). */
    public int authCalls() {
        return calls("/auth/nginx") + calls("/auth/caddy") + calls("/auth/traefik");
    }

    /** Calls to one path below {@code /outpost.goauthentik.io}, e.g. {@code /callback}. */
    public int calls(String path) {
        AtomicInteger n = calls.get(path);
        return n == null ? 0 : n.get();
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

    /** The Location of the last redirect the double sent. */
    public String lastLocation() {
        return lastLocation;
    }

    /** The Set-Cookie of the last response that had one. */
    public String lastSetCookie() {
        return lastSetCookie;
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String path = uri.getPath();
            recorded.add(record(exchange));
            exchange.getRequestBody().readAllBytes();
            String sub = path.startsWith(PREFIX + "/") ? path.substring(PREFIX.length()) : path;
            calls.computeIfAbsent(sub, k -> new AtomicInteger()).incrementAndGet();
            if (!waitDelay()) {
                return;
            }
            Headers in = exchange.getRequestHeaders();
            switch (sub) {
                case "/auth/nginx" -> auth(exchange, in, false);
                case "/auth/caddy", "/auth/traefik" -> auth(exchange, in, true);
                case "/start" -> start(exchange, query(uri));
                case "/callback" -> callback(exchange, query(uri));
                case "/sign_out" -> signOut(exchange, in);
                default -> send(exchange, 404, "not an outpost path: " + path);
            }
        } catch (IOException e) {
            // the proxy went away (a timeout): nothing to answer
        }
    }

    private boolean waitDelay() {
        Duration wait = delay;
        if (wait.isZero()) {
            return true;
        }
        try {
            closing.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            return closing.getCount() > 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void auth(HttpExchange exchange, Headers in, boolean redirectItself) throws IOException {
        if (failWith != 0) {
            send(exchange, failWith, "outpost failing on purpose");
            return;
        }
        Identity identity = session(in);
        if (identity != null) {
            Headers out = exchange.getResponseHeaders();
            out.set("X-authentik-username", identity.username());
            out.set("X-authentik-groups", String.join("|", identity.groups()));
            out.set("X-authentik-entitlements", String.join("|", identity.entitlements()));
            out.set("X-authentik-email", identity.email());
            out.set("X-authentik-name", identity.name());
            out.set("X-authentik-uid", identity.uid());
            out.set("X-authentik-jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI" + identity.uid() + "In0.c2lnbmF0dXJl");
            out.set("X-authentik-meta-jwks", "http://authentik.test/application/o/app/jwks/");
            out.set("X-authentik-meta-outpost", "authentik Embedded Outpost");
            out.set("X-authentik-meta-provider", "app-provider");
            out.set("X-authentik-meta-app", "app");
            out.set("X-authentik-meta-version", "goauthentik.io/outpost/2025.10");
            if (basicAuthorization != null) {
                out.set("Authorization", basicAuthorization);
            }
            send(exchange, 200, "");
            return;
        }
        String original;
        if (redirectItself) {
            original = in.getFirst("X-Forwarded-Proto") + "://" + in.getFirst("X-Forwarded-Host")
                    + in.getFirst("X-Forwarded-Uri");
        } else {
            original = in.getFirst("X-Original-URL");
        }
        String pending = newId();
        pendingRedirects.put(pending, original == null ? "/" : original);
        setCookie(exchange, cookieName + "=" + pending + "; Path=/; HttpOnly; SameSite=Lax");
        if (redirectItself) {
            String location = in.getFirst("X-Forwarded-Proto") + "://" + in.getFirst("X-Forwarded-Host") + PREFIX
                    + "/start?rd=" + java.net.URLEncoder.encode(original, StandardCharsets.UTF_8);
            redirect(exchange, location);
        } else {
            send(exchange, 401, "Unauthorized");
        }
    }

    private void start(HttpExchange exchange, Map<String, String> query) throws IOException {
        String session = newId();
        sessions.put(session, DEFAULT_USER);
        setCookie(exchange, cookieName + "=" + session + "; Path=/; HttpOnly; SameSite=Lax");
        redirect(exchange, query.getOrDefault("rd", "/"));
    }

    private void callback(HttpExchange exchange, Map<String, String> query) throws IOException {
        String code = query.get("code");
        Identity identity = code == null ? null : sessions.remove("code:" + code);
        if (identity == null) {
            send(exchange, 400, "unknown or missing code");
            return;
        }
        String session = newId();
        sessions.put(session, identity);
        setCookie(exchange, cookieName + "=" + session + "; Path=/; HttpOnly; SameSite=Lax");
        String returnTo = pendingRedirects.remove("code:" + code);
        redirect(exchange, returnTo == null ? "/" : returnTo);
    }

    private void signOut(HttpExchange exchange, Headers in) throws IOException {
        String session = sessionId(in);
        if (session != null) {
            sessions.remove(session);
        }
        setCookie(exchange, cookieName + "=; Path=/; Max-Age=0");
        redirect(exchange, "/");
    }

    private Identity session(Headers in) {
        String id = sessionId(in);
        return id == null ? null : sessions.get(id);
    }

    private String sessionId(Headers in) {
        List<String> cookies = in.get("Cookie");
        if (cookies == null) {
            return null;
        }
        for (String header : cookies) {
            for (String pair : header.split(";")) {
                String trimmed = pair.trim();
                if (trimmed.startsWith(cookieName + "=")) {
                    return trimmed.substring(cookieName.length() + 1);
                }
            }
        }
        return null;
    }

    private void setCookie(HttpExchange exchange, String value) {
        exchange.getResponseHeaders().add("Set-Cookie", value);
        lastSetCookie = value;
    }

    private void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        lastLocation = location;
        send(exchange, 302, "");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) {
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private String newId() {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private static Recorded record(HttpExchange exchange) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
        return new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                Collections.unmodifiableMap(headers), exchange.getRemoteAddress().getPort());
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
                result.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return result;
    }

    /** Stops listening (new connections are refused) and releases every delayed answer. */
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
