package io.hecate.core;

import com.sun.net.httpserver.HttpServer;
import io.hecate.core.config.AccessLogConfig;
import io.hecate.core.config.AdminConfig;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.MatchConfig;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.ProxyConfig;
import io.hecate.core.config.RouteConfig;
import io.hecate.core.config.UpstreamConfig;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void proxiesAGet() throws Exception {
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", ex -> {
            byte[] body = ("hello " + ex.getRequestURI()).getBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        backend.start();
        try (Hecate proxy = Hecate.builder().config(ProxyConfig.builder()
                .listen("127.0.0.1:0").admin(new AdminConfig(new ListenAddress("127.0.0.1", 0)))
                .accessLog(AccessLogConfig.defaults())
                .upstream("app", UpstreamConfig.of("127.0.0.1:" + backend.getAddress().getPort()))
                .route(RouteConfig.of("app", MatchConfig.prefix("/api"), ProxyAction.to("app").withStripPrefix("/api")))
                .build()).start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + "/api/x?y=1")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("hello /x?y=1");
            }
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpAddress().getPort() + "/nope")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            HttpResponse<String> m = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            System.err.println(m.body());
        } finally {
            backend.stop(0);
        }
    }
}
