package io.hecate.auth.internal;

import io.hecate.core.config.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a filter's settings (plain Java values from YAML or code) with messages an operator can
 * act on. Every problem is an {@link IllegalArgumentException} whose message starts with the
 * setting's key, which the core reports at the filter's key path.
 */
public final class Settings {


    private final Map<String, Object> values;
    private final String prefix;

    private Settings(Map<String, Object> values, String prefix) {
        this.values = values;
        this.prefix = prefix;
    }

    /**
     * @param allowed every key the filter type knows; any other key is refused (with the list), so a
     *                typo never silently turns a security setting off
     */
    public static Settings of(Map<String, Object> values, List<String> allowed) {
        return nested(values, allowed, "");
    }

    private static Settings nested(Map<String, Object> values, List<String> allowed, String prefix) {
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(prefix + key + ": unknown setting (expected one of: "
                        + String.join(", ", allowed) + ")");
            }
        }
        return new Settings(values, prefix);
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    public String string(String key, String fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text) || text.isBlank()) {
            throw bad(key, "expected a non-empty string, got " + describe(value));
        }
        return text;
    }

    public String requiredString(String key, String meaning) {
        String value = string(key, null);
        if (value == null) {
            throw bad(key, "required: " + meaning);
        }
        return value;
    }

    public boolean bool(String key, boolean fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean flag)) {
            throw bad(key, "expected true or false, got " + describe(value));
        }
        return flag;
    }

    public int integer(String key, int fallback, int min, int max) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Integer number)) {
            throw bad(key, "expected a whole number, got " + describe(value));
        }
        if (number < min || number > max) {
            throw bad(key, "must be between " + min + " and " + max + ", got " + number);
        }
        return number;
    }

    /** A duration written like {@code 250ms}, {@code 5s}, {@code 1m30s}; a bare number is refused. */
    public Duration duration(String key, Duration fallback, boolean zeroAllowed) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text)) {
            throw bad(key, "expected a duration like 30s or 250ms, got " + describe(value)
                    + (value instanceof Number ? " (a unit is required)" : ""));
        }
        Duration parsed;
        try {
            parsed = parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw bad(key, e.getMessage());
        }
        if (parsed.isZero() && !zeroAllowed) {
            throw bad(key, "must be positive");
        }
        return parsed;
    }

    public List<String> strings(String key, List<String> fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof List<?> list)) {
            throw bad(key, "expected a list of strings, got " + describe(value));
        }
        List<String> result = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String text) || text.isBlank()) {
                throw new IllegalArgumentException(prefix + key + "[" + i + "]: expected a non-empty string, got "
                        + describe(list.get(i)));
            }
            result.add(text);
        }
        return List.copyOf(result);
    }

    /** A mapping of strings to strings, in the order given. */
    public Map<String, String> stringMap(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw bad(key, "expected a mapping, got " + describe(value));
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String name) || !(entry.getValue() instanceof String text)) {
                throw new IllegalArgumentException(prefix + key + "." + entry.getKey()
                        + ": expected a string, got " + describe(entry.getValue()));
            }
            result.put(name, text);
        }
        return result;
    }

    /** A nested mapping read with its own list of keys; empty when absent. */
    @SuppressWarnings("unchecked")
    public Settings section(String key, List<String> allowed) {
        Object value = values.get(key);
        if (value == null) {
            return new Settings(Map.of(), prefix + key + ".");
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw bad(key, "expected a mapping, got " + describe(value));
        }
        for (Object name : map.keySet()) {
            if (!(name instanceof String)) {
                throw bad(key, "keys must be names, got " + describe(name));
            }
        }
        return nested((Map<String, Object>) map, allowed, prefix + key + ".");
    }

    public IllegalArgumentException bad(String key, String message) {
        return new IllegalArgumentException(prefix + key + ": " + message);
    }

    public static Duration parseDuration(String text) {
        return Durations.parse(text);
    }

    private static String describe(Object value) {
        if (value instanceof String text) {
            return "\"" + text + "\"";
        }
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        return String.valueOf(value);
    }
}
