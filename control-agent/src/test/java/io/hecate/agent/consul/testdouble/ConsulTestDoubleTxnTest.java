package io.hecate.agent.consul.testdouble;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Transactions (api-docs/txn) over plain HTTP. */
@Timeout(30)
class ConsulTestDoubleTxnTest extends AgainstTheDouble {

    @Test
    void aSuccessfulTransactionAppliesEveryOperationAtOneIndex() {
        consul.put("config/old", "x");
        String body = ops(
                kv("set", "config/a", "one", 0, null),
                kv("set", "config/b", "two", 0, null),
                kv("delete", "config/old", null, 0, null),
                kv("get", "config/a", null, 0, null));

        HttpResponse<String> response = http.put("/v1/txn", body);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject result = JsonParser.parseString(response.body()).getAsJsonObject();
        assertThat(result.get("Errors").isJsonNull()).isTrue();
        JsonArray results = result.getAsJsonArray("Results");
        assertThat(results).hasSize(3);
        JsonObject setA = results.get(0).getAsJsonObject().getAsJsonObject("KV");
        JsonObject setB = results.get(1).getAsJsonObject().getAsJsonObject("KV");
        JsonObject getA = results.get(2).getAsJsonObject().getAsJsonObject("KV");
        assertThat(setA.get("Value").isJsonNull()).as("set results carry no value").isTrue();
        assertThat(decode(getA.get("Value").getAsString())).isEqualTo("one");
        assertThat(setA.get("ModifyIndex").getAsLong()).as("one Raft entry").isEqualTo(setB.get("ModifyIndex").getAsLong());
        assertThat(consul.kv("config/")).containsOnlyKeys("config/a", "config/b").containsEntry("config/b", "two");
    }

    @Test
    void aFailedCheckRollsEverythingBackWith409() {
        consul.put("config/a", "original");
        long stale = consul.index() + 100;
        String body = ops(
                kv("set", "config/a", "changed", 0, null),
                kv("check-index", "config/a", null, stale, null),
                kv("set", "config/new", "never", 0, null),
                kv("delete-tree", "config/", null, 0, null));

        HttpResponse<String> response = http.put("/v1/txn", body);

        assertThat(response.statusCode()).isEqualTo(409);
        JsonObject result = JsonParser.parseString(response.body()).getAsJsonObject();
        assertThat(result.get("Results").isJsonNull()).isTrue();
        JsonArray errors = result.getAsJsonArray("Errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getAsJsonObject().get("OpIndex").getAsInt()).isEqualTo(1);
        assertThat(errors.get(0).getAsJsonObject().get("What").getAsString()).contains("failed index check", "config/a");
        assertThat(consul.kv("")).containsExactlyEntriesOf(Map.of("config/a", "original"));
    }

    @Test
    void casAndExistenceChecksAndDeleteCas() {
        consul.put("k", "v");
        long index = JsonParser.parseString(http.get("/v1/kv/k").body()).getAsJsonArray().get(0)
                .getAsJsonObject().get("ModifyIndex").getAsLong();

        HttpResponse<String> ok = http.put("/v1/txn", ops(
                kv("check-not-exists", "absent", null, 0, null),
                kv("cas", "k", "v2", index, null),
                kv("cas", "fresh", "created", 0, null)));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(consul.get("k")).isEqualTo("v2");
        assertThat(consul.get("fresh")).isEqualTo("created");

        HttpResponse<String> conflict = http.put("/v1/txn", ops(
                kv("delete-cas", "k", null, index, null),
                kv("check-not-exists", "fresh", null, 0, null)));
        assertThat(conflict.statusCode()).isEqualTo(409);
        JsonArray errors = JsonParser.parseString(conflict.body()).getAsJsonObject().getAsJsonArray("Errors");
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).getAsJsonObject().get("What").getAsString()).contains("index is stale");
        assertThat(errors.get(1).getAsJsonObject().get("What").getAsString()).contains("exists");
        assertThat(consul.get("k")).isEqualTo("v2");
    }

    @Test
    void lockAndUnlockInATransaction() {
        String session = JsonParser.parseString(http.put("/v1/session/create", "{\"LockDelay\": \"0s\"}").body())
                .getAsJsonObject().get("ID").getAsString();

        HttpResponse<String> locked = http.put("/v1/txn", ops(
                kv("lock", "leader", "me", 0, session),
                kv("check-session", "leader", null, 0, session)));
        assertThat(locked.statusCode()).isEqualTo(200);
        JsonObject entry = JsonParser.parseString(locked.body()).getAsJsonObject().getAsJsonArray("Results")
                .get(0).getAsJsonObject().getAsJsonObject("KV");
        assertThat(entry.get("Session").getAsString()).isEqualTo(session);
        assertThat(entry.get("LockIndex").getAsLong()).isEqualTo(1);

        HttpResponse<String> unknown = http.put("/v1/txn", ops(kv("lock", "other", "x", 0, "no-such-session")));
        assertThat(unknown.statusCode()).isEqualTo(409);
        assertThat(unknown.body()).contains("invalid session");

        assertThat(http.put("/v1/txn", ops(kv("unlock", "leader", "me", 0, session))).statusCode()).isEqualTo(200);
        assertThat(JsonParser.parseString(http.get("/v1/kv/leader").body()).getAsJsonArray().get(0)
                .getAsJsonObject().has("Session")).isFalse();
    }

    @Test
    void moreThan64OperationsIsA413NamingTheLimit() {
        String[] many = new String[65];
        for (int i = 0; i < many.length; i++) {
            many[i] = kv("set", "bulk/" + i, "v", 0, null);
        }

        HttpResponse<String> response = http.put("/v1/txn", ops(many));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("65", "64");
        assertThat(consul.kv("bulk/")).isEmpty();
        assertThat(http.put("/v1/txn", ops(Arrays.copyOf(many, 64))).statusCode()).isEqualTo(200);
        assertThat(consul.kv("bulk/")).hasSize(64);
    }

    @Test
    void malformedJsonIsA400() {
        HttpResponse<String> response = http.put("/v1/txn", "[{\"KV\": {\"Verb\": \"set\", ");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).startsWith("Failed to parse body");
        assertThat(http.put("/v1/txn", "{\"KV\": {}}").statusCode()).as("not an array").isEqualTo(400);
    }

    private static String ops(String... ops) {
        StringJoiner j = new StringJoiner(",", "[", "]");
        for (String op : ops) {
            j.add(op);
        }
        return j.toString();
    }

    private static String kv(String verb, String key, String value, long index, String session) {
        JsonObject kv = new JsonObject();
        kv.addProperty("Verb", verb);
        kv.addProperty("Key", key);
        if (value != null) {
            kv.addProperty("Value", Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        }
        if (index != 0) {
            kv.addProperty("Index", index);
        }
        if (session != null) {
            kv.addProperty("Session", session);
        }
        JsonObject op = new JsonObject();
        op.add("KV", kv);
        return op.toString();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
