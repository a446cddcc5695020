package io.hecate.agent.consul.testdouble;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The HTTP front: records each request, enforces the ACL token and the datacenter, routes to the
 * endpoints, and writes the answer with Consul's response headers. Following
 * https://developer.hashicorp.com/consul/api-docs (the "Authentication" and "Blocking Queries" sections):
 * <ul>
 *   <li>the token is read from {@code ?token=}, then {@code X-Consul-Token}, then
 *       {@code Authorization: Bearer}, in Consul's order;</li>
 *   <li>with ACLs on, a request without the right token is a 403 "ACL not found". The status endpoints,
 *       which need no ACL in Consul, answer anyway;</li>
 *   <li>{@code ?dc=} naming another datacenter is a 500 "No path to datacenter";</li>
 *   <li>every GET answer carries X-Consul-Index, X-Consul-KnownLeader: true and X-Consul-LastContact: 0;</li>
 *   <li>a path the double does not serve is a 404 "404 page not found", a wrong method a 405.</li>
 * </ul>
 * A request parked in a blocking query when the double stops gets no answer: its connection is closed.
 */
final class ConsulRouter implements HttpHandler {

    private record Route(String path, boolean prefix, Set<String> methods, BiFunction<ApiRequest, String, ApiResponse> handler) {
    }

    private final RaftState state;
    private final String datacenter;
    private final List<Route> routes;
    private final List<RecordedRequest> log = new CopyOnWriteArrayList<>();
    private volatile String requiredToken;

    ConsulRouter(RaftState state, String datacenter, KvEndpoint kv, TxnEndpoint txn, SessionEndpoint sessions,
                 CatalogEndpoint catalog, AgentEndpoint agent) {
        this.state = state;
        this.datacenter = datacenter;
        this.routes = List.of(
                prefix("/v1/kv/", Set.of("GET", "PUT", "DELETE"), kv::handle),
                exact("/v1/kv", Set.of("GET", "PUT", "DELETE"), request -> kv.handle(request, "")),
                exact("/v1/txn", Set.of("PUT"), txn::handle),
                exact("/v1/session/create", Set.of("PUT"), sessions::create),
                prefix("/v1/session/destroy/", Set.of("PUT"), sessions::destroy),
                prefix("/v1/session/renew/", Set.of("PUT"), sessions::renew),
                prefix("/v1/session/info/", Set.of("GET"), sessions::info),
                prefix("/v1/session/node/", Set.of("GET"), sessions::node),
                exact("/v1/session/list", Set.of("GET"), sessions::list),
                exact("/v1/catalog/services", Set.of("GET"), catalog::services),
                prefix("/v1/catalog/service/", Set.of("GET"), catalog::service),
                prefix("/v1/health/service/", Set.of("GET"), catalog::health),
                exact("/v1/agent/service/register", Set.of("PUT"), agent::register),
                prefix("/v1/agent/service/deregister/", Set.of("PUT"), agent::deregister),
                exact("/v1/agent/self", Set.of("GET"), agent::self),
                exact("/v1/status/leader", Set.of("GET"), agent::leader));
    }

    void requireToken(String token) {
        this.requiredToken = token;
    }

    List<RecordedRequest> requests() {
        return List.copyOf(log);
    }

    void clearRequests() {
        log.clear();
    }

    @Override
    public void handle(HttpExchange exchange) {
        long generation = state.generation();
        try {
            URI uri = exchange.getRequestURI();
            String path = uri.getPath() == null ? "" : uri.getPath();
            String rawQuery = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            byte[] body = exchange.getRequestBody().readAllBytes();
            ApiRequest request = new ApiRequest(exchange.getRequestMethod(), path, rawQuery, body, generation);
            String token = token(request, exchange.getRequestHeaders());
            log.add(new RecordedRequest(request.method(), path, rawQuery, token, Instant.now()));
            ApiResponse response;
            try {
                response = route(request, token);
            } catch (ApiError e) {
                response = ApiResponse.text(e.status(), e.getMessage());
            } catch (RaftState.Stopped stopped) {
                return;
            } catch (RuntimeException e) {
                response = ApiResponse.text(500, String.valueOf(e));
            }
            write(exchange, request, response);
        } catch (IOException clientGone) {
            // The client closed its connection (or stop() did): nothing to answer.
        } finally {
            exchange.close();
        }
    }

    private ApiResponse route(ApiRequest request, String token) {
        String required = requiredToken;
        if (required != null && !request.path().startsWith("/v1/status/") && !required.equals(token)) {
            return ApiResponse.text(403, "ACL not found");
        }
        String dc = request.param("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
            throw ApiError.rpc("No path to datacenter");
        }
        for (Route route : routes) {
            boolean matches = route.prefix() ? request.path().startsWith(route.path()) : request.path().equals(route.path());
            if (!matches) {
                continue;
            }
            if (!route.methods().contains(request.method())) {
                throw new ApiError(405, "method " + request.method() + " not allowed");
            }
            String rest = route.prefix() ? request.path().substring(route.path().length()) : "";
            return route.handler().apply(request, rest);
        }
        return ApiResponse.text(404, "404 page not found\n");
    }

    private void write(HttpExchange exchange, ApiRequest request, ApiResponse response) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", response.contentType());
        headers.set("Vary", "Accept-Encoding");
        if (request.method().equals("GET")) {
            long index = response.index() != null ? response.index() : state.index();
            headers.set("X-Consul-Index", Long.toString(Math.max(1, index)));
            headers.set("X-Consul-KnownLeader", "true");
            headers.set("X-Consul-LastContact", "0");
        }
        if (response.status() == 405) {
            headers.set("Allow", String.join(",", allowed(request.path())));
        }
        byte[] body = response.body();
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private List<String> allowed(String path) {
        for (Route route : routes) {
            if (route.prefix() ? path.startsWith(route.path()) : path.equals(route.path())) {
                return route.methods().stream().sorted().toList();
            }
        }
        return List.of();
    }

    /** Consul's order: ?token=, then X-Consul-Token, then "Authorization: Bearer". */
    private static String token(ApiRequest request, Headers headers) {
        String query = request.param("token");
        if (query != null && !query.isEmpty()) {
            return query;
        }
        String header = headers.getFirst("X-Consul-Token");
        if (header != null && !header.isEmpty()) {
            return header;
        }
        String authorization = headers.getFirst("Authorization");
        if (authorization != null) {
            String[] parts = authorization.trim().split("\\s+", 2);
            if (parts.length == 2 && parts[0].equalsIgnoreCase("Bearer")) {
                return parts[1].trim();
            }
        }
        return null;
    }

    private static Route prefix(String path, Set<String> methods, BiFunction<ApiRequest, String, ApiResponse> handler) {
        return new Route(path, true, methods, handler);
    }

    private static Route exact(String path, Set<String> methods, Function<ApiRequest, ApiResponse> handler) {
        return new Route(path, false, methods, (request, rest) -> handler.apply(request));
    }
}
