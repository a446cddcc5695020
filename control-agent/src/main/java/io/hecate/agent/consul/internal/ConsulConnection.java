package io.hecate.agent.consul.internal;

import com.ecwid.consul.ConsulException;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.transport.TransportException;
import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import io.hecate.agent.consul.ConsulSettings;
import org.apache.http.client.HttpClient;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.ssl.SSLContexts;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.message.BasicHeader;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * One Consul agent's HTTP API through {@code consul-api}, with this node's settings applied to
 * every call: the ACL token (sent as the {@code X-Consul-Token} header, never in the URL, so it
 * stays out of access logs), the datacenter, TLS, and timeouts that fit blocking queries. Every
 * call blocks: use it from the agent's own threads, never from an event loop.
 */
public final class ConsulConnection implements AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** One per watch (each parks a connection) and a few for calls. */
    private static final int MAX_CONNECTIONS = 64;
    /** Beyond the blocking wait and Consul's jitter (wait/16): the margin before a read is given up. */
    private static final Duration READ_MARGIN = Duration.ofSeconds(15);

    private final ConsulSettings settings;
    private final CloseableHttpClient http;
    private final ConsulRawClient raw;
    private final ConsulClient client;

    private ConsulConnection(ConsulSettings settings, CloseableHttpClient http) {
        this.settings = settings;
        this.http = http;
        URI address = settings.address();
        int port = address.getPort() > 0 ? address.getPort() : ("https".equals(address.getScheme()) ? 443 : 80);
        this.raw = new ConsulRawClient(http, address.getScheme() + "://" + address.getHost(), port,
                address.getPath() == null ? "" : address.getPath());
        this.client = new ConsulClient(raw);
    }

    /** @throws IOException when the TLS files of the settings cannot be read */
    public static ConsulConnection open(ConsulSettings settings) throws IOException {
        long waitMillis = settings.blockingWait().toMillis();
        int readTimeout = (int) Math.min(Integer.MAX_VALUE, waitMillis + waitMillis / 16 + READ_MARGIN.toMillis());
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(RegistryBuilder
                .<ConnectionSocketFactory>create()
                .register("http", PlainConnectionSocketFactory.getSocketFactory())
                .register("https", new SSLConnectionSocketFactory(settings.tls() == null
                        ? SSLContexts.createSystemDefault() : TlsFiles.sslContext(settings.tls()),
                        SSLConnectionSocketFactory.getDefaultHostnameVerifier()))
                .build());
        pool.setMaxTotal(MAX_CONNECTIONS);
        pool.setDefaultMaxPerRoute(MAX_CONNECTIONS);
        // A pooled connection is checked before reuse: after Consul restarted, the next call gets a
        // fresh connection instead of a failure.
        pool.setValidateAfterInactivity(1);
        HttpClientBuilder builder = HttpClientBuilder.create()
                .setConnectionManager(pool)
                // A request silently retried on a new connection would hide that Consul restarted:
                // a watch must see the failure to start over (its index may mean nothing now).
                .disableAutomaticRetries()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
                        .setConnectionRequestTimeout((int) CONNECT_TIMEOUT.toMillis())
                        .setSocketTimeout(readTimeout)
                        .build());
        if (settings.token() != null) {
            builder.setDefaultHeaders(List.of(new BasicHeader("X-Consul-Token", settings.token())));
        }
        return new ConsulConnection(settings, builder.build());
    }

    public ConsulSettings settings() {
        return settings;
    }

    public ConsulClient client() {
        return client;
    }

    /** For the endpoints consul-api lacks (transactions). */
    public ConsulRawClient raw() {
        return raw;
    }

    /** The HTTP client under both, e.g. to abort. */
    HttpClient http() {
        return http;
    }

    /** A query that answers at once with the current state. */
    public QueryParams now() {
        return QueryParams.Builder.builder().setDatacenter(settings.datacenter()).build();
    }

    /** A blocking query: answers when the result's index passes {@code index}, or after the configured wait. */
    public QueryParams after(long index) {
        return QueryParams.Builder.builder()
                .setDatacenter(settings.datacenter())
                .setIndex(index)
                .setWaitTime(Math.max(1, settings.blockingWait().toSeconds()))
                .build();
    }

    /** Where Consul is, for messages. */
    public String describe() {
        return settings.address().toString();
    }

    /**
     * Runs one call, translating consul-api's unchecked failures into a message an operator can act on.
     *
     * @throws ConsulUnavailableException when Consul is unreachable or answers with an error
     */
    public <T> T call(String what, Supplier<T> call) throws ConsulUnavailableException {
        try {
            return call.get();
        } catch (OperationException e) {
            throw refused(what, e.getStatusCode(), e.getStatusContent(), e);
        } catch (TransportException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ConsulUnavailableException("Consul at " + describe() + " is unreachable (" + what + "): "
                    + reason(cause), 0, e);
        } catch (ConsulException e) {
            throw new ConsulUnavailableException("Consul at " + describe() + " failed (" + what + "): "
                    + reason(e), 0, e);
        }
    }

    /** A failed answer of a raw call as the same kind of failure. */
    public ConsulUnavailableException refused(String what, HttpResponse response) {
        return refused(what, response.getStatusCode(), response.getContent(), null);
    }

    private ConsulUnavailableException refused(String what, int status, String content, Throwable cause) {
        String body = content == null ? "" : content.trim();
        if (status == 403) {
            return new ConsulUnavailableException("Consul at " + describe() + " refused the ACL token (" + what
                    + "): 403 " + body + (settings.token() == null ? " (no token was sent: set consul.token_env"
                    + " or CONSUL_HTTP_TOKEN)" : ""), status, cause);
        }
        return new ConsulUnavailableException("Consul at " + describe() + " answered " + status + " (" + what + ")"
                + (body.isEmpty() ? "" : ": " + body), status, cause);
    }

    private static String reason(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            // Nothing is left to release: the pool's sockets are closed either way.
        }
    }
}
