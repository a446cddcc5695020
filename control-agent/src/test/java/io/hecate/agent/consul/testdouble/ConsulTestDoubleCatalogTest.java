package io.hecate.agent.consul.testdouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.agent.model.NewService;
import com.ecwid.consul.v1.catalog.model.CatalogService;
import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Catalog, health and agent registration (api-docs/catalog, api-docs/health, api-docs/agent/service). */
@Timeout(30)
class ConsulTestDoubleCatalogTest extends AgainstTheDouble {

    private HttpServer backend;

    @AfterEach
    void stopTheBackend() {
        if (backend != null) {
            backend.stop(0);
        }
    }

    @Test
    void healthPassingKeepsOnlyInstancesWhoseChecksAllPass() {
        consul.registerService("node-a", "web-1", "web", "10.0.0.1", 8080, List.of("v1"), "passing");
        consul.registerService("node-b", "web-2", "web", "10.0.0.2", 8080, List.of("v1"), "critical");
        consul.registerService("node-c", "web-3", "web", "10.0.0.3", 8080, List.of("v2"), "warning");

        List<HealthService> passing = client.getHealthServices("web", true, QueryParams.DEFAULT).getValue();
        assertThat(passing).extracting(h -> h.getService().getId()).containsExactly("web-1");
        HealthService web1 = passing.get(0);
        assertThat(web1.getNode().getNode()).isEqualTo("node-a");
        assertThat(web1.getNode().getAddress()).isEqualTo("10.0.0.1");
        assertThat(web1.getNode().getDatacenter()).isEqualTo("dc1");
        assertThat(web1.getService().getAddress()).isEqualTo("10.0.0.1");
        assertThat(web1.getService().getPort()).isEqualTo(8080);
        assertThat(web1.getService().getTags()).containsExactly("v1");
        assertThat(web1.getChecks()).extracting(Check::getCheckId).containsExactly("serfHealth", "service:web-1");
        assertThat(web1.getChecks()).extracting(Check::getStatus).containsOnly(Check.CheckStatus.PASSING);

        assertThat(client.getHealthServices("web", false, QueryParams.DEFAULT).getValue())
                .extracting(h -> h.getService().getId()).containsExactly("web-1", "web-2", "web-3");

        consul.setStatus("web-2", "passing");
        assertThat(client.getHealthServices("web", true, QueryParams.DEFAULT).getValue())
                .extracting(h -> h.getService().getId()).containsExactly("web-1", "web-2");

        consul.deregisterService("web-1");
        assertThat(client.getHealthServices("web", true, QueryParams.DEFAULT).getValue())
                .extracting(h -> h.getService().getId()).containsExactly("web-2");
        assertThat(client.getHealthServices("unknown", false, QueryParams.DEFAULT).getValue()).isEmpty();
    }

    @Test
    void catalogListsServicesWithTheUnionOfTheirTags() {
        consul.registerService("node-a", "web-1", "web", "10.0.0.1", 8080, List.of("v1", "blue"), "passing");
        consul.registerService("node-b", "web-2", "web", "10.0.0.2", 8081, List.of("v2"), "critical");
        consul.registerService("node-b", "db-1", "db", "10.0.0.2", 5432, List.of(), "passing");

        Map<String, List<String>> services = client.getCatalogServices(QueryParams.DEFAULT).getValue();
        assertThat(services).containsOnlyKeys("web", "db");
        assertThat(services.get("web")).containsExactlyInAnyOrder("v1", "v2", "blue");

        List<CatalogService> web = client.getCatalogService("web", QueryParams.DEFAULT).getValue();
        assertThat(web).extracting(CatalogService::getServiceId).containsExactly("web-1", "web-2");
        assertThat(web.get(1).getNode()).isEqualTo("node-b");
        assertThat(web.get(1).getServicePort()).isEqualTo(8081);
        assertThat(client.getCatalogService("web", "v2", QueryParams.DEFAULT).getValue())
                .extracting(CatalogService::getServiceId).containsExactly("web-2");
    }

    @Test
    void aBlockingHealthQueryWakesOnItsServiceOnly() throws Exception {
        consul.registerService("node-a", "web-1", "web", "10.0.0.1", 8080, List.of(), "critical");
        consul.registerService("node-a", "db-1", "db", "10.0.0.1", 5432, List.of(), "passing");
        long webIndex = client.getHealthServices("web", true, QueryParams.DEFAULT).getConsulIndex();
        long dbIndex = client.getHealthServices("db", true, QueryParams.DEFAULT).getConsulIndex();

        CompletableFuture<Response<List<HealthService>>> web = CompletableFuture.supplyAsync(
                () -> client.getHealthServices("web", true, new QueryParams(10, webIndex)));
        CompletableFuture<Response<List<HealthService>>> db = CompletableFuture.supplyAsync(
                () -> client.getHealthServices("db", true, new QueryParams(1, dbIndex)));
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.requests().stream()
                .filter(r -> r.rawQuery().contains("index=")).count() == 2);

        consul.setStatus("web-1", "passing");

        Response<List<HealthService>> woken = web.get(3, TimeUnit.SECONDS);
        assertThat(woken.getConsulIndex()).isGreaterThan(webIndex);
        assertThat(woken.getValue()).extracting(h -> h.getService().getId()).containsExactly("web-1");
        assertThat(db).as("db is not woken by web's change").isNotDone();
        assertThat(db.get(3, TimeUnit.SECONDS).getConsulIndex()).isEqualTo(dbIndex);
    }

    @Test
    void anAgentRegistrationRunsItsHttpCheckForReal() throws IOException {
        AtomicInteger answer = new AtomicInteger(503);
        List<String> userAgents = new CopyOnWriteArrayList<>();
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/health", exchange -> {
            userAgents.add(exchange.getRequestHeaders().getFirst("User-Agent"));
            exchange.sendResponseHeaders(answer.get(), -1);
            exchange.close();
        });
        backend.start();
        String url = "http://127.0.0.1:" + backend.getAddress().getPort() + "/health";

        NewService service = new NewService();
        service.setId("api-1");
        service.setName("api");
        service.setAddress("127.0.0.1");
        service.setPort(9000);
        service.setTags(List.of("hecate"));
        NewService.Check check = new NewService.Check();
        check.setHttp(url);
        check.setInterval("1s");
        check.setTimeout("1s");
        check.setDeregisterCriticalServiceAfter("1m");
        service.setCheck(check);
        client.agentServiceRegister(service);

        AgentRegistration registered = consul.agentRegistrations().get(0);
        assertThat(registered.id()).isEqualTo("api-1");
        assertThat(registered.name()).isEqualTo("api");
        assertThat(registered.port()).isEqualTo(9000);
        assertThat(registered.tags()).containsExactly("hecate");
        assertThat(registered.check().http()).isEqualTo(url);
        assertThat(registered.check().interval()).isEqualTo("1s");
        assertThat(registered.check().timeout()).isEqualTo("1s");
        assertThat(registered.check().deregisterCriticalServiceAfter()).isEqualTo("1m");
        assertThat(registered.status()).as("critical until a check passes").isEqualTo("critical");
        assertThat(client.getHealthServices("api", true, QueryParams.DEFAULT).getValue()).isEmpty();

        await().atMost(Duration.ofSeconds(4)).until(() -> !userAgents.isEmpty());
        assertThat(consul.agentRegistrations().get(0).status()).as("503 is critical").isEqualTo("critical");
        assertThat(userAgents).contains("Consul Health Check");

        answer.set(200);
        await().atMost(Duration.ofSeconds(4)).until(() -> "passing".equals(consul.agentRegistrations().get(0).status()));
        List<HealthService> healthy = client.getHealthServices("api", true, QueryParams.DEFAULT).getValue();
        assertThat(healthy).hasSize(1);
        assertThat(healthy.get(0).getNode().getNode()).isEqualTo(ConsulTestDouble.NODE_NAME);
        assertThat(healthy.get(0).getService().getPort()).isEqualTo(9000);
        assertThat(healthy.get(0).getChecks()).extracting(Check::getCheckId).contains("service:api-1");

        answer.set(429);
        await().atMost(Duration.ofSeconds(4)).until(() -> "warning".equals(consul.agentRegistrations().get(0).status()));

        client.agentServiceDeregister("api-1");
        assertThat(consul.agentRegistrations()).isEmpty();
        assertThat(client.getHealthServices("api", false, QueryParams.DEFAULT).getValue()).isEmpty();
        assertThatThrownBy(() -> client.agentServiceDeregister("api-1"))
                .isInstanceOfSatisfying(OperationException.class, e -> assertThat(e.getStatusCode()).isEqualTo(404));
    }

    @Test
    void aCheckThatDoesNotAnswerWithinItsTimeoutIsCritical() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/slow", exchange -> {
            // Never answers: the check's 1s timeout must mark it critical. The exchange is dropped at stop().
        });
        backend.start();
        PlainHttp http = new PlainHttp(consul.address());
        String body = "{\"Name\": \"slow\", \"Check\": {\"HTTP\": \"http://127.0.0.1:" + backend.getAddress().getPort()
                + "/slow\", \"Interval\": \"1s\", \"Timeout\": \"1s\", \"Status\": \"passing\"}}";

        assertThat(http.put("/v1/agent/service/register", body).statusCode()).isEqualTo(200);
        assertThat(consul.agentRegistrations().get(0).status()).as("the initial Status given").isEqualTo("passing");
        assertThat(consul.agentRegistrations().get(0).id()).as("ID defaults to Name").isEqualTo("slow");

        await().atMost(Duration.ofSeconds(5)).until(() -> "critical".equals(consul.agentRegistrations().get(0).status()));
    }

    @Test
    void aRegistrationWithoutNameOrWithAnIntervallessCheckIsA400() {
        PlainHttp http = new PlainHttp(consul.address());

        assertThat(http.put("/v1/agent/service/register", "{\"ID\": \"x\"}").statusCode()).isEqualTo(400);
        assertThat(http.put("/v1/agent/service/register",
                "{\"Name\": \"x\", \"Check\": {\"HTTP\": \"http://127.0.0.1:1/\"}}").statusCode()).isEqualTo(400);
        assertThat(consul.agentRegistrations()).isEmpty();
    }
}
