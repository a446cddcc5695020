package io.hecate.agent.consul.internal;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One entry of the audit trail under {@code <prefix>audit/}: who changed which documents, from
 * which host, when, and their text before and after. It is meant to be written in the same
 * transaction as the change, so no change is ever without its entry.
 *
 * <p>The key is {@code <prefix>audit/<yyyyMMdd'T'HHmmss.SSS'Z'>-<8 hex>}: keys sort by time, and
 * the random part keeps two entries of the same millisecond apart. The value is a JSON object
 * {@code {who, host, when, action, key, before, after}}; {@code before} is {@code null} for a
 * create, {@code after} for a delete. A restore names {@code keys} instead, and its {@code before}
 * and {@code after} map each key to its text.
 */
public final class AuditEntry {

    public enum Action {
        CREATE, UPDATE, DELETE, RESTORE;

        String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final DateTimeFormatter KEY_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String key;
    private final String json;

    private AuditEntry(String key, JsonObject json) {
        this.key = key;
        this.json = new GsonBuilder().serializeNulls().setPrettyPrinting().create().toJson(json);
    }

    /**
     * @param before the document's text before, or {@code null} when it is being created
     * @param after  its text after, or {@code null} when it is being deleted
     */
    public static AuditEntry change(KvLayout layout, String who, String host, Action action, String documentKey,
                                    String before, String after) {
        Instant when = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        JsonObject json = common(who, host, when, action);
        json.addProperty("key", documentKey);
        json.addProperty("before", before);
        json.addProperty("after", after);
        return new AuditEntry(key(layout, when), json);
    }

    /**
     * @param before every document's text by key, as it was before the restore
     * @param after  every document's text by key, as the restore writes it
     */
    public static AuditEntry restore(KvLayout layout, String who, String host, Map<String, String> before,
                                     Map<String, String> after) {
        Instant when = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        JsonObject json = common(who, host, when, Action.RESTORE);
        JsonArray keys = new JsonArray();
        TreeSet<String> affected = new TreeSet<>(before.keySet());
        affected.addAll(after.keySet());
        affected.forEach(keys::add);
        json.add("keys", keys);
        json.add("before", texts(before));
        json.add("after", texts(after));
        return new AuditEntry(key(layout, when), json);
    }

    private static JsonObject common(String who, String host, Instant when, Action action) {
        JsonObject json = new JsonObject();
        json.addProperty("who", who);
        json.addProperty("host", host);
        json.addProperty("when", when.toString());
        json.addProperty("action", action.jsonName());
        return json;
    }

    private static JsonObject texts(Map<String, String> texts) {
        JsonObject json = new JsonObject();
        SortedMap<String, String> sorted = new TreeMap<>(texts);
        sorted.forEach(json::addProperty);
        return json;
    }

    private static String key(KvLayout layout, Instant when) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return layout.audit() + KEY_TIME.format(when) + "-" + HexFormat.of().formatHex(random);
    }

    public String key() {
        return key;
    }

    public String json() {
        return json;
    }
}
