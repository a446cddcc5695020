package io.hecate.core.testing;

import io.hecate.core.Hecate;
import io.hecate.core.config.AccessLogConfig;
import io.hecate.core.config.AdminConfig;
import io.hecate.core.config.ConfigException;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A running Hecate for one test: started from a configuration built with the public API, with the
 * admin API on an ephemeral port, and a reader for its Prometheus metrics. Close it in
 * {@code @AfterEach} or try-with-resources.
 */
public final class ProxyFixture implements AutoCloseable {

    /** One client for every test: HTTP/1.1 forced, short connect timeout, never follows redirects. */
    public static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final Hecate proxy;

    private ProxyFixture(Hecate proxy) {
        this.proxy = proxy;
    }

    /**
     * Listener and admin API on loopback with ephemeral ports, no access log, a short drain timeout;
     * the rest are the documented defaults.
     */
    public static ProxyConfig.Builder baseConfig() {
        return ProxyConfig.builder()
                .listen("127.0.0.1:0")
                .admin(new AdminConfig(new ListenAddress("127.0.0.1", 0)))
                .accessLog(AccessLogConfig.off())
                .drainTimeout(Duration.ofSeconds(5));
    }

    /** One upstream {@code app} with the given targets and one route {@code app} for every request. */
    public static ProxyConfig oneRoute(UpstreamConfig upstream) {
        return baseConfig()
                .upstream("app", upstream)
                .route(RouteConfig.of("app", MatchConfig.prefix("/"), ProxyAction.to("app")))
                .build();
    }

    public static ProxyFixture proxyTo(String target) throws ConfigException {
        return start(oneRoute(UpstreamConfig.of(target)));
    }

    public static ProxyFixture start(ProxyConfig config) throws ConfigException {
        return new ProxyFixture(Hecate.builder().config(config).workerThreads(2).start());
    }

    public static ProxyFixture start(Hecate.Builder builder) throws ConfigException {
        return new ProxyFixture(builder.workerThreads(2).start());
    }

    public Hecate proxy() {
        return proxy;
    }

    public InetSocketAddress http() {
        return proxy.httpAddress();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + http().getPort() + pathAndQuery);
    }

    public RawClient raw() throws IOException {
        return RawClient.connect(http());
    }

    public HttpResponse<byte[]> get(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** GET on the admin API; the body as text. */
    public HttpResponse<String> admin(String path) {
        InetSocketAddress admin = proxy.adminAddress();
        URI uri = URI.create("http://127.0.0.1:" + admin.getPort() + path);
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String metricsText() {
        HttpResponse<String> response = admin("/metrics");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** Every sample of the exposition, keyed by {@code name{labels}} exactly as rendered. */
    public Map<String, Double> metrics() {
        return parse(metricsText());
    }

    /**
     * One sample, e.g. {@code metric("hecate_upstream_connections", "target", "127.0.0.1:8080")}
     * or {@code metric("hecate_config_version")}; empty when the series is absent.
     */
    public OptionalDouble metric(String name, String... labelPairs) {
        Double value = metrics().get(key(name, labelPairs));
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /** A sample that is absent counts as 0 (a counter or gauge never touched). */
    public long metricOrZero(String name, String... labelPairs) {
        return (long) metric(name, labelPairs).orElse(0);
    }

    public static String key(String name, String... labelPairs) {
        if (labelPairs.length == 0) {
            return name;
        }
        StringBuilder key = new StringBuilder(name).append('{');
        for (int i = 0; i < labelPairs.length; i += 2) {
            if (i > 0) {
                key.append(',');
            }
            key.append(labelPairs[i]).append("=\"").append(labelPairs[i + 1]).append('"');
        }
        return key.append('}').toString();
    }

    public static Map<String, Double> parse(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    @Override
    public void close() {
        proxy.stop(Duration.ofSeconds(2));
    }
}
