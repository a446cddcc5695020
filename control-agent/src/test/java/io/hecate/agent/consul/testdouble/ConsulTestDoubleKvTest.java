package io.hecate.agent.consul.testdouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import com.ecwid.consul.v1.session.model.NewSession;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The KV endpoints (api-docs/kv) through the ecwid client, as production code uses them. */
@Timeout(30)
class ConsulTestDoubleKvTest extends AgainstTheDouble {

    @Test
    void putThenGetReturnsTheValueWithItsIndexes() {
        assertThat(client.setKVValue("config/app/name", "hecate").getValue()).isTrue();

        Response<GetValue> read = client.getKVValue("config/app/name");
        GetValue first = read.getValue();
        assertThat(first.getKey()).isEqualTo("config/app/name");
        assertThat(first.getDecodedValue()).isEqualTo("hecate");
        assertThat(first.getCreateIndex()).isEqualTo(first.getModifyIndex());
        assertThat(first.getLockIndex()).isZero();
        assertThat(first.getSession()).isNull();
        assertThat(read.getConsulIndex()).isEqualTo(first.getModifyIndex());
        assertThat(read.isConsulKnownLeader()).isTrue();
        assertThat(consul.get("config/app/name")).isEqualTo("hecate");

        client.setKVValue("config/app/name", "hecate-2");
        GetValue second = client.getKVValue("config/app/name").getValue();
        assertThat(second.getDecodedValue()).isEqualTo("hecate-2");
        assertThat(second.getCreateIndex()).isEqualTo(first.getCreateIndex());
        assertThat(second.getModifyIndex()).isGreaterThan(first.getModifyIndex());
    }

    @Test
    void aMissingKeyIsA404ThatStillCarriesAnIndex() {
        Response<GetValue> read = client.getKVValue("no/such/key");

        assertThat(read.getValue()).isNull();
        assertThat(read.getConsulIndex()).isPositive();
        assertThat(consul.get("no/such/key")).isNull();
    }

    @Test
    void anEmptyValueReadsAsNull() {
        consul.put("empty", "");

        GetValue read = client.getKVValue("empty").getValue();

        assertThat(read.getValue()).isNull();
        assertThat(consul.get("empty")).isEmpty();
    }

    @Test
    void casWritesOnlyWhenTheModifyIndexMatches() {
        assertThat(client.setKVValue("k", "v1", cas(0)).getValue()).as("cas=0 on an absent key").isTrue();
        assertThat(client.setKVValue("k", "v2", cas(0)).getValue()).as("cas=0 on an existing key").isFalse();

        long index = client.getKVValue("k").getValue().getModifyIndex();
        assertThat(client.setKVValue("k", "stale", cas(index - 1)).getValue()).isFalse();
        assertThat(consul.get("k")).isEqualTo("v1");
        assertThat(client.setKVValue("k", "v3", cas(index)).getValue()).isTrue();
        assertThat(consul.get("k")).isEqualTo("v3");
    }

    @Test
    void flagsAreStoredWithTheValue() {
        PutParams flags = new PutParams();
        flags.setFlags(42);
        client.setKVValue("flagged", "x", flags);

        assertThat(client.getKVValue("flagged").getValue().getFlags()).isEqualTo(42);
    }

    @Test
    void recurseAndKeysListWhatIsUnderThePrefix() {
        consul.put("app/a", "1");
        consul.put("app/b/c", "2");
        consul.put("app/b/d", "3");
        consul.put("application", "not under app/");

        List<GetValue> values = client.getKVValues("app/").getValue();
        assertThat(values).extracting(GetValue::getKey).containsExactly("app/a", "app/b/c", "app/b/d");
        assertThat(values).extracting(GetValue::getDecodedValue).containsExactly("1", "2", "3");

        assertThat(client.getKVKeysOnly("app/").getValue()).containsExactly("app/a", "app/b/c", "app/b/d");
        assertThat(client.getKVKeysOnly("app/", "/", null).getValue()).containsExactly("app/a", "app/b/");
        assertThat(client.getKVValues("nothing/here/").getValue()).as("404 when nothing is under the prefix").isNull();
        assertThat(consul.kv("app/")).containsOnlyKeys("app/a", "app/b/c", "app/b/d");
    }

    @Test
    void recursiveDeleteRemovesOnlyThePrefix() {
        consul.put("app/a", "1");
        consul.put("app/b/c", "2");
        consul.put("keep", "3");

        client.deleteKVValues("app/");

        assertThat(consul.kv("")).containsOnlyKeys("keep");
        client.deleteKVValue("keep");
        assertThat(consul.kv("")).isEmpty();
    }

    @Test
    void acquireAndReleaseFollowConsulsLockSemantics() {
        String first = session("first");
        String second = session("second");

        assertThat(client.setKVValue("leader", "node-1", acquire(first)).getValue()).isTrue();
        GetValue held = client.getKVValue("leader").getValue();
        assertThat(held.getSession()).isEqualTo(first);
        assertThat(held.getLockIndex()).isEqualTo(1);
        assertThat(held.getDecodedValue()).isEqualTo("node-1");

        assertThat(client.setKVValue("leader", "node-1", acquire(first)).getValue()).as("re-acquire by the holder").isTrue();
        assertThat(client.getKVValue("leader").getValue().getLockIndex()).as("not a new acquisition").isEqualTo(1);
        assertThat(client.setKVValue("leader", "node-2", acquire(second)).getValue()).as("held by another").isFalse();
        assertThat(client.setKVValue("leader", "node-2", release(second)).getValue()).as("release by a non-holder").isFalse();

        assertThat(client.setKVValue("leader", "node-1", release(first)).getValue()).isTrue();
        GetValue released = client.getKVValue("leader").getValue();
        assertThat(released.getSession()).isNull();
        assertThat(released.getLockIndex()).isEqualTo(1);

        assertThat(client.setKVValue("leader", "node-2", acquire(second)).getValue())
                .as("an explicit release leaves no lock delay").isTrue();
        assertThat(client.getKVValue("leader").getValue().getLockIndex()).isEqualTo(2);
    }

    @Test
    void acquiringWithAnUnknownSessionIsA500() {
        assertThatThrownBy(() -> client.setKVValue("leader", "x", acquire("00000000-0000-0000-0000-000000000000")))
                .isInstanceOfSatisfying(OperationException.class, e -> {
                    assertThat(e.getStatusCode()).isEqualTo(500);
                    assertThat(e.getStatusContent()).contains("invalid session");
                });
        assertThat(consul.get("leader")).isNull();
    }

    @Test
    void rawReturnsTheBareValue() {
        consul.put("raw/key", "plain text");
        PlainHttp http = new PlainHttp(consul.address());

        HttpResponse<String> raw = http.get("/v1/kv/raw/key?raw");

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo("plain text");
        assertThat(raw.headers().firstValue("X-Consul-Index")).isPresent();
    }

    @Test
    void keysWithALeadingSlashAreStoredWithoutIt() {
        PlainHttp http = new PlainHttp(consul.address());

        assertThat(http.put("/v1/kv//slashed", "v").body()).isEqualTo("true");

        assertThat(consul.kv("")).containsOnlyKeys("slashed");
        assertThat(client.getKVValue("slashed").getValue().getDecodedValue()).isEqualTo("v");
    }

    private String session(String name) {
        NewSession s = new NewSession();
        s.setName(name);
        return client.sessionCreate(s, QueryParams.DEFAULT).getValue();
    }

    private static PutParams cas(long index) {
        PutParams p = new PutParams();
        p.setCas(index);
        return p;
    }

    private static PutParams acquire(String session) {
        PutParams p = new PutParams();
        p.setAcquireSession(session);
        return p;
    }

    private static PutParams release(String session) {
        PutParams p = new PutParams();
        p.setReleaseSession(session);
        return p;
    }
}
