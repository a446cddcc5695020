package io.hecate.agent.consul.internal;

import com.ecwid.consul.transport.HttpResponse;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * KV operations that Consul applies all together or not at all, through its transaction API
 * ({@code PUT /v1/txn}): so that a change and its audit entry are never written one without the
 * other, and a condition (a check-and-set index, a key that must not exist yet) guards them all.
 */
public final class Transaction {

    /** Consul refuses a transaction of more operations than this (HTTP 413). */
    public static final int MAX_OPERATIONS = 64;

    private final JsonArray operations = new JsonArray();
    private final List<String> keys = new ArrayList<>();

    /** Writes {@code text} at {@code key}, whatever is there. */
    public Transaction set(String key, String text) {
        return add("set", key, text, null);
    }

    /** Writes {@code text} at {@code key} only if the key is still at {@code index} (it was not changed since). */
    public Transaction cas(String key, String text, long index) {
        return add("cas", key, text, index);
    }

    /** Fails the transaction if {@code key} exists. */
    public Transaction checkNotExists(String key) {
        return add("check-not-exists", key, null, null);
    }

    /** Deletes {@code key} only if it is still at {@code index}. */
    public Transaction deleteCas(String key, long index) {
        return add("delete-cas", key, null, index);
    }

    /** Deletes every key starting with {@code prefix}. */
    public Transaction deleteTree(String prefix) {
        return add("delete-tree", prefix, null, null);
    }

    private Transaction add(String verb, String key, String text, Long index) {
        JsonObject kv = new JsonObject();
        kv.addProperty("Verb", verb);
        kv.addProperty("Key", key);
        if (text != null) {
            kv.addProperty("Value", Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
        }
        if (index != null) {
            kv.addProperty("Index", index);
        }
        JsonObject operation = new JsonObject();
        operation.add("KV", kv);
        operations.add(operation);
        keys.add(key);
        return this;
    }

    /**
     * @param what what the transaction does, for messages (e.g. {@code creating hecate/routes/api})
     * @throws RolledBack when a condition failed: nothing was written
     * @throws ConsulUnavailableException when Consul is unreachable, refuses the token or the
     *                                    transaction's size, or fails otherwise
     */
    public void commit(ConsulConnection consul, String what) throws RolledBack, ConsulUnavailableException {
        HttpResponse response = consul.call(what,
                () -> consul.raw().makePutRequest("/v1/txn", operations.toString(), consul.now()));
        switch (response.getStatusCode()) {
            case 200 -> {
            }
            case 409 -> throw rolledBack(consul, what, response.getContent());
            case 413 -> throw new ConsulUnavailableException("Consul at " + consul.describe()
                    + " refused the transaction as too large (" + what + "): "
                    + (response.getContent() == null ? "" : response.getContent().trim() + ". ")
                    + "A transaction holds at most " + MAX_OPERATIONS + " operations (this one: " + operations.size()
                    + ") and a request body of at most txn_max_req_len (512 KB unless configured otherwise)", 413,
                    null);
            default -> throw consul.refused(what, response);
        }
    }

    /** Consul lists why it rolled back, by operation; a denied operation means the token lacks a permission. */
    private RolledBack rolledBack(ConsulConnection consul, String what, String content)
            throws ConsulUnavailableException {
        List<Failure> failures = new ArrayList<>();
        for (JsonElement error : errors(content)) {
            if (!error.isJsonObject()) {
                continue;
            }
            JsonObject object = error.getAsJsonObject();
            int index = object.has("OpIndex") ? object.get("OpIndex").getAsInt() : -1;
            String key = index >= 0 && index < keys.size() ? keys.get(index) : null;
            String reason = object.has("What") ? object.get("What").getAsString() : "";
            if (reason.toLowerCase(Locale.ROOT).contains("permission denied")) {
                throw new ConsulUnavailableException("Consul at " + consul.describe() + " refused the ACL token ("
                        + what + "): " + reason + (key == null ? "" : " on " + key), 403, null);
            }
            failures.add(new Failure(index, key, reason));
        }
        return new RolledBack(what, failures);
    }

    private static JsonArray errors(String content) {
        try {
            JsonElement body = JsonParser.parseString(content == null ? "" : content);
            if (body.isJsonObject() && body.getAsJsonObject().get("Errors") instanceof JsonArray errors) {
                return errors;
            }
        } catch (JsonParseException | IllegalStateException e) {
            // An answer without the documented Errors list still means the transaction was rolled back.
        }
        return new JsonArray();
    }

    /**
     * One operation that made Consul roll the transaction back.
     *
     * @param operation its position in the transaction, or -1 when Consul did not say
     * @param key       its key, or {@code null} when unknown
     * @param reason    Consul's words
     */
    public record Failure(int operation, String key, String reason) {
    }

    /** Consul rolled the transaction back because a condition failed: nothing was written. */
    public static final class RolledBack extends Exception {

        private final List<Failure> failures;

        RolledBack(String what, List<Failure> failures) {
            super("Consul rolled back the transaction (" + what + "): " + (failures.isEmpty() ? "no reason given"
                    : String.join("; ", failures.stream().map(Failure::reason).toList())));
            this.failures = List.copyOf(failures);
        }

        public List<Failure> failures() {
            return failures;
        }
    }
}
