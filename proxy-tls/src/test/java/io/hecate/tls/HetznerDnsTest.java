package io.hecate.tls;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Hetzner DNS provider against a local stand-in for its API: the requests it makes (zone
 * lookup from the longest suffix, a TXT record relative to the zone, deletion by id, the token
 * header). Not checked against Hetzner itself.
 */
class HetznerDnsTest {

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void createsTheTxtRecordInTheZoneAndDeletesItById() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Auth-API-Token") + " " + body);
            String answer;
            int status = 200;
            String query = exchange.getRequestURI().getRawQuery();
            if (exchange.getRequestURI().getPath().endsWith("/zones")) {
                if ("name=example.com".equals(query)) {
                    answer = "{\"zones\":[{\"id\":\"zone-1\",\"name\":\"example.com\",\"ttl\":86400}]}";
                } else {
                    status = 404;
                    answer = "{\"zones\":[],\"error\":{\"message\":\"zone not found\",\"code\":404}}";
                }
            } else if ("POST".equals(exchange.getRequestMethod())) {
                answer = "{\"record\":{\"id\":\"rec-9\",\"type\":\"TXT\",\"name\":\"_acme-challenge.shop\"}}";
            } else {
                answer = "{}";
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        HetznerDns dns = new HetznerDns(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/"),
                "secret-token", Duration.ZERO);

        dns.setTxt("_acme-challenge.shop.example.com.", "digest-value");
        dns.clearTxt("_acme-challenge.shop.example.com.");

        assertThat(requests).containsExactly(
                "GET /api/v1/zones?name=_acme-challenge.shop.example.com secret-token ",
                "GET /api/v1/zones?name=shop.example.com secret-token ",
                "GET /api/v1/zones?name=example.com secret-token ",
                "POST /api/v1/records secret-token {\"zone_id\":\"zone-1\",\"type\":\"TXT\","
                        + "\"name\":\"_acme-challenge.shop\",\"value\":\"digest-value\",\"ttl\":60}",
                "DELETE /api/v1/records/rec-9 secret-token ");
    }
}
