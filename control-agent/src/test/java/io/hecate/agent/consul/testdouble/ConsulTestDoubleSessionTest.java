package io.hecate.agent.consul.testdouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import com.ecwid.consul.v1.session.model.NewSession;
import com.ecwid.consul.v1.session.model.Session;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sessions (api-docs/session) and what their invalidation does to the locks they hold. */
@Timeout(30)
class ConsulTestDoubleSessionTest extends AgainstTheDouble {

    @Test
    void createReadListRenewAndDestroy() {
        NewSession request = new NewSession();
        request.setName("leader-election");
        request.setTtl("15s");
        request.setBehavior(Session.Behavior.DELETE);
        String id = client.sessionCreate(request, QueryParams.DEFAULT).getValue();

        Session info = client.getSessionInfo(id, QueryParams.DEFAULT).getValue();
        assertThat(info.getId()).isEqualTo(id);
        assertThat(info.getName()).isEqualTo("leader-election");
        assertThat(info.getNode()).isEqualTo(ConsulTestDouble.NODE_NAME);
        assertThat(info.getTtl()).isEqualTo("15s");
        assertThat(info.getBehavior()).isEqualTo(Session.Behavior.DELETE);
        assertThat(info.getLockDelay()).as("the ecwid client sends LockDelay 0: no delay").isZero();
        assertThat(info.getCreateIndex()).isPositive();

        assertThat(client.getSessionList(QueryParams.DEFAULT).getValue()).extracting(Session::getId).containsExactly(id);
        assertThat(client.renewSession(id, QueryParams.DEFAULT).getValue().getId()).isEqualTo(id);

        client.sessionDestroy(id, QueryParams.DEFAULT);
        assertThat(client.getSessionInfo(id, QueryParams.DEFAULT).getValue()).isNull();
        assertThat(client.getSessionList(QueryParams.DEFAULT).getValue()).isEmpty();
        assertThatThrownBy(() -> client.renewSession(id, QueryParams.DEFAULT))
                .isInstanceOfSatisfying(OperationException.class, e -> assertThat(e.getStatusCode()).isEqualTo(404));
    }

    @Test
    void plainHttpCreateAppliesConsulsDefaults() {
        PlainHttp http = new PlainHttp(consul.address());
        String id = JsonParser.parseString(http.put("/v1/session/create", "").body())
                .getAsJsonObject().get("ID").getAsString();

        HttpResponse<String> info = http.get("/v1/session/info/" + id);

        var session = JsonParser.parseString(info.body()).getAsJsonArray().get(0).getAsJsonObject();
        assertThat(session.get("LockDelay").getAsLong()).isEqualTo(15_000_000_000L);
        assertThat(session.get("Behavior").getAsString()).isEqualTo("release");
        assertThat(session.get("TTL").getAsString()).isEmpty();
        assertThat(session.get("NodeChecks").getAsJsonArray().get(0).getAsString()).isEqualTo("serfHealth");
        assertThat(http.get("/v1/session/info/00000000-0000-0000-0000-000000000000").body()).isEqualTo("[]");
    }

    @Test
    void aTtlBelowTheMinimumIsRefused() {
        NewSession request = new NewSession();
        request.setTtl("1s");

        assertThatThrownBy(() -> client.sessionCreate(request, QueryParams.DEFAULT))
                .isInstanceOfSatisfying(OperationException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(500);
                    assertThat(e.getStatusContent()).contains("Invalid Session TTL", "10s");
                });
    }

    @Test
    void ttlExpiryReleasesTheLockButKeepsTheValue() {
        consul.sessionTtlMin(Duration.ofMillis(100));
        NewSession request = new NewSession();
        request.setTtl("1s");
        String id = client.sessionCreate(request, QueryParams.DEFAULT).getValue();
        assertThat(client.setKVValue("service/leader", "me", acquire(id)).getValue()).isTrue();
        assertThat(client.getKVValue("service/leader").getValue().getSession()).isEqualTo(id);

        await().atMost(Duration.ofSeconds(4)).until(() -> client.getSessionInfo(id, QueryParams.DEFAULT).getValue() == null);

        GetValue after = client.getKVValue("service/leader").getValue();
        assertThat(after.getSession()).isNull();
        assertThat(after.getDecodedValue()).isEqualTo("me");
    }

    @Test
    void renewingKeepsATtlSessionAlive() throws InterruptedException {
        consul.sessionTtlMin(Duration.ofMillis(100));
        NewSession request = new NewSession();
        request.setTtl("600ms");
        String id = client.sessionCreate(request, QueryParams.DEFAULT).getValue();

        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> id.equals(client.renewSession(id, QueryParams.DEFAULT).getValue().getId()));
        assertThat(client.getSessionInfo(id, QueryParams.DEFAULT).getValue()).isNotNull();
    }

    @Test
    void destroyingADeleteSessionDeletesItsKeys() {
        NewSession request = new NewSession();
        request.setBehavior(Session.Behavior.DELETE);
        String id = client.sessionCreate(request, QueryParams.DEFAULT).getValue();
        client.setKVValue("ephemeral/me", "here", acquire(id));
        consul.put("ephemeral/other", "stays");

        client.sessionDestroy(id, QueryParams.DEFAULT);

        assertThat(consul.kv("ephemeral/")).containsOnlyKeys("ephemeral/other");
    }

    @Test
    void afterAnInvalidationTheKeyIsUnderLockDelay() {
        PlainHttp http = new PlainHttp(consul.address());
        String holder = createWithLockDelay(http, "1s");
        String contender = createWithLockDelay(http, "1s");
        assertThat(http.put("/v1/kv/lock?acquire=" + holder, "a").body()).isEqualTo("true");

        long destroyed = System.nanoTime();
        assertThat(http.put("/v1/session/destroy/" + holder, "").body()).isEqualTo("true");

        assertThat(http.put("/v1/kv/lock?acquire=" + contender, "b").body()).as("within the lock delay").isEqualTo("false");
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> http.put("/v1/kv/lock?acquire=" + contender, "b").body().equals("true"));
        assertThat(Duration.ofNanos(System.nanoTime() - destroyed)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(consul.get("lock")).isEqualTo("b");
    }

    @Test
    void aSessionOnAServiceCheckIsInvalidatedWhenTheCheckGoesCritical() {
        consul.registerService("node-a", "db-1", "db", "10.0.0.9", 5432, List.of(), "passing");
        PlainHttp http = new PlainHttp(consul.address());
        String body = "{\"Node\": \"node-a\", \"Checks\": [\"serfHealth\", \"service:db-1\"], \"LockDelay\": \"0s\"}";
        String id = JsonParser.parseString(http.put("/v1/session/create", body).body())
                .getAsJsonObject().get("ID").getAsString();
        assertThat(http.put("/v1/kv/db/primary?acquire=" + id, "db-1").body()).isEqualTo("true");

        consul.setStatus("db-1", "critical");

        assertThat(http.get("/v1/session/info/" + id).body()).isEqualTo("[]");
        assertThat(client.getKVValue("db/primary").getValue().getSession()).isNull();
    }

    private static String createWithLockDelay(PlainHttp http, String lockDelay) {
        String body = "{\"Name\": \"lock\", \"LockDelay\": \"" + lockDelay + "\"}";
        return JsonParser.parseString(http.put("/v1/session/create", body).body()).getAsJsonObject().get("ID").getAsString();
    }

    private static PutParams acquire(String session) {
        PutParams p = new PutParams();
        p.setAcquireSession(session);
        return p;
    }
}
