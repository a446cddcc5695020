package io.hecate.agent.consul.testdouble;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go duration strings, the form Consul takes for {@code wait}, TTLs, lock delays and check intervals
 * ("100ms", "5s", "1m30s"): Go's {@code time.ParseDuration} grammar, and {@code Duration.String()} for the
 * few error messages that print one.
 */
final class Durations {

    private static final Pattern COMPONENT = Pattern.compile("(\\d*\\.?\\d*)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Long> UNIT_NANOS = Map.of(
            "ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private Durations() {
    }

    /** Parses a Go duration; throws IllegalArgumentException with Go's wording when it is not one. */
    static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("time: invalid duration \"\"");
        }
        String s = text;
        boolean negative = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            negative = s.startsWith("-");
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("time: invalid duration \"" + text + "\"");
        }
        Matcher m = COMPONENT.matcher(s);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
                String problem = s.substring(at).matches("[0-9.]+") ? "missing unit in duration" : "invalid duration";
                throw new IllegalArgumentException("time: " + problem + " \"" + text + "\"");
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(UNIT_NANOS.get(m.group(2)))));
            at = m.end();
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    /** Go's {@code time.Duration.String()}: "15s", "1m0s", "24h0m0s", "100ms". */
    static String format(Duration d) {
        long n = d.toNanos();
        if (n == 0) {
            return "0s";
        }
        String sign = n < 0 ? "-" : "";
        n = Math.abs(n);
        if (n < 1_000) {
            return sign + n + "ns";
        }
        if (n < 1_000_000) {
            return sign + decimal(n, 1_000) + "µs";
        }
        if (n < 1_000_000_000) {
            return sign + decimal(n, 1_000_000) + "ms";
        }
        long hours = n / 3_600_000_000_000L;
        long minutes = (n / 60_000_000_000L) % 60;
        String seconds = decimal(n % 60_000_000_000L, 1_000_000_000L) + "s";
        if (hours > 0) {
            return sign + hours + "h" + minutes + "m" + seconds;
        }
        if (minutes > 0) {
            return sign + minutes + "m" + seconds;
        }
        return sign + seconds;
    }

    private static String decimal(long value, long unit) {
        return BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
    }
}
