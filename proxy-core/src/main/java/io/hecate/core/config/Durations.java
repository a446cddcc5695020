package io.hecate.core.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations written as a number and a unit ({@code 250ms}, {@code 30s}, {@code 5m},
 * {@code 1h}), or several such parts in a row ({@code 1m30s}). A bare number is refused: whether
 * {@code 30} means seconds or milliseconds is exactly the ambiguity that causes outages.
 */
public final class Durations {

    private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:ms|s|m|h))+");
    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Durations() {
    }

    /** @throws IllegalArgumentException with an operator-facing explanation */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        if (!WHOLE.matcher(trimmed).matches()) {
            String hint = trimmed.matches("[0-9]+") ? " (a unit is required)" : "";
            throw new IllegalArgumentException(
                    "expected a duration like 30s or 250ms, got \"" + text + "\"" + hint);
        }
        try {
            Duration total = Duration.ZERO;
            Matcher part = PART.matcher(trimmed);
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                });
            }
            return total;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too large");
        }
    }

    /** The shortest spelling {@link #parse} reads back as the same duration, for messages and docs. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0 && millis != 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis != 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
