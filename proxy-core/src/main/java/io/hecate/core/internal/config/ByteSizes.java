package io.hecate.core.internal.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads byte counts written as a plain integer or with a binary unit ({@code 8KiB}, {@code 1MiB}). */
public final class ByteSizes {

    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*(KiB|MiB)?");

    private ByteSizes() {
    }

    /** @throws IllegalArgumentException with an operator-facing explanation */
    public static int parse(String text) {
        Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "expected a size in bytes like 8192, 8KiB or 1MiB, got \"" + text + "\"");
        }
        long unit = matcher.group(2) == null ? 1 : matcher.group(2).equals("KiB") ? 1024 : 1024 * 1024;
        try {
            long bytes = Math.multiplyExact(Long.parseLong(matcher.group(1)), unit);
            if (bytes > Integer.MAX_VALUE) {
                throw new ArithmeticException();
            }
            return (int) bytes;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
    }
}
