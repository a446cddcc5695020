package io.hecate.tls;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link DnsProvider} for Hetzner DNS, through its public API ({@code https://dns.hetzner.com/api/v1},
 * token in the {@code Auth-API-Token} header): finds the zone the name belongs to (the longest
 * suffix that is a zone of the account), creates the TXT record relative to it, and deletes it by
 * id afterwards.
 */
public final class HetznerDns implements DnsProvider {

    public static final URI API = URI.create("https://dns.hetzner.com/api/v1/");
    private static final Pattern ZONE = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"\\s*,\\s*\"name\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern RECORD_ID = Pattern.compile("\"record\"\\s*:\\s*\\{[^}]*?\"id\"\\s*:\\s*\"([^\"]+)\"");

    private final URI api;
    private final String token;
    private final Duration propagation;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> created = new ConcurrentHashMap<>();

    /**
     * @param api         {@link #API}, or another base (tests)
     * @param token       the API token
     * @param propagation time for Hetzner's name servers to pick the record up before validation
     */
    public HetznerDns(URI api, String token, Duration propagation) {
        this.api = api;
        this.token = token;
        this.propagation = propagation;
    }

    @Override
    public Duration propagationDelay() {
        return propagation;
    }

    @Override
    public void setTxt(String name, String value) throws Exception {
        String fqdn = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        String[] zone = zoneOf(fqdn);
        String relative = fqdn.equals(zone[1]) ? "@" : fqdn.substring(0, fqdn.length() - zone[1].length() - 1);
        String body = "{\"zone_id\":" + json(zone[0]) + ",\"type\":\"TXT\",\"name\":" + json(relative)
                + ",\"value\":" + json(value) + ",\"ttl\":60}";
        String answer = send(HttpRequest.newBuilder(api.resolve("records"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        Matcher id = RECORD_ID.matcher(answer);
        if (!id.find()) {
            throw new IllegalStateException("Hetzner DNS created no record for " + fqdn + ": " + answer);
        }
        created.put(name, id.group(1));
    }

    @Override
    public void clearTxt(String name) throws Exception {
        String id = created.remove(name);
        if (id != null) {
            send(HttpRequest.newBuilder(api.resolve("records/" + URLEncoder.encode(id, StandardCharsets.UTF_8))).DELETE());
        }
    }

    /** {id, name} of the longest suffix of {@code fqdn} that is a zone of the account. */
    private String[] zoneOf(String fqdn) throws Exception {
        String candidate = fqdn;
        while (candidate.indexOf('.') > 0) {
            String answer = send(HttpRequest.newBuilder(api.resolve("zones?name="
                    + URLEncoder.encode(candidate, StandardCharsets.UTF_8))).GET(), 404);
            Matcher zone = ZONE.matcher(answer);
            while (zone.find()) {
                if (zone.group(2).equalsIgnoreCase(candidate)) {
                    return new String[] {zone.group(1), zone.group(2).toLowerCase(java.util.Locale.ROOT)};
                }
            }
            candidate = candidate.substring(candidate.indexOf('.') + 1);
        }
        throw new IllegalStateException("no Hetzner DNS zone of this token holds " + fqdn);
    }

    private String send(HttpRequest.Builder request, int... alsoFine) throws Exception {
        HttpResponse<String> response = http.send(request.header("Auth-API-Token", token)
                .header("Accept", "application/json").timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status / 100 == 2) {
            return response.body();
        }
        for (int fine : alsoFine) {
            if (status == fine) {
                return "";
            }
        }
        throw new IllegalStateException("Hetzner DNS answered " + status + " to " + response.request().method() + " "
                + response.request().uri().getPath() + ": " + response.body());
    }

    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
