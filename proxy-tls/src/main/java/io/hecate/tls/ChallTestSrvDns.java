package io.hecate.tls;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@link DnsProvider} for {@code pebble-challtestsrv}, the DNS server of Let's Encrypt's test
 * setup, whose records are set over its management API ({@code POST /set-txt}, {@code /clear-txt}).
 * For tests and local trials.
 */
public final class ChallTestSrvDns implements DnsProvider {

    private final URI management;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param management the management API, e.g. {@code http://127.0.0.1:8055} */
    public ChallTestSrvDns(URI management) {
        this.management = management;
    }

    @Override
    public void setTxt(String name, String value) throws Exception {
        post("/set-txt", "{\"host\":" + json(name) + ",\"value\":" + json(value) + "}");
    }

    @Override
    public void clearTxt(String name) throws Exception {
        post("/clear-txt", "{\"host\":" + json(name) + "}");
    }

    private void post(String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(management.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("challtestsrv " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
    }

    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
