package io.hecate.core.internal.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads byte counts written as a plain integer or with a binary unit ({@code 8KiB}, {@code 1MiB}, {@code 2GiB}). */
public final class ByteSizes {

    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*(KiB|MiB|GiB)?");

    private ByteSizes() {
    }

    /** @throws IllegalArgumentException with an operator-facing explanation */
    public static int parse(String text) {
        long bytes = parseLong(text);
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large (at most 2047MiB here)");
        }
        return (int) bytes;
    }

    /** @throws IllegalArgumentException with an operator-facing explanation */
    public static long parseLong(String text) {
        Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "expected a size in bytes like 8192, 8KiB, 1MiB or 2GiB, got \"" + text + "\"");
        }
        long unit = switch (matcher.group(2) == null ? "" : matcher.group(2)) {
            case "KiB" -> 1024L;
            case "MiB" -> 1024L * 1024;
            case "GiB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
    }
}
