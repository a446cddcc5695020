package io.hecate.core.internal.config;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Finds regular expressions and replacements that would only fail once a request arrives. */
public final class RegexChecks {

    private RegexChecks() {
    }

    /** What is wrong with {@code regex}, or empty when it compiles. */
    public static Optional<String> compileProblem(String regex) {
        try {
            Pattern.compile(regex);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            String near = e.getIndex() >= 0 ? " near index " + e.getIndex() : "";
            return Optional.of("invalid regular expression: " + e.getDescription() + near);
        }
    }

    /**
     * What is wrong with {@code replacement} as a {@link java.util.regex.Matcher#replaceAll}
     * argument for {@code regex} (which must compile), or empty when nothing is. Catches {@code $n}
     * or {@code ${name}} naming a group the pattern does not have, which Java would report only
     * when the first request matches.
     */
    public static Optional<String> replacementProblem(String regex, String replacement) {
        int groups = Pattern.compile(regex).matcher("").groupCount();
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c == '\\') {
                if (++i == replacement.length()) {
                    return Optional.of("replacement ends with a lone backslash");
                }
            } else if (c == '$') {
                if (i + 1 == replacement.length()) {
                    return Optional.of("replacement ends with a lone $ (write \\$ for a literal dollar)");
                }
                char next = replacement.charAt(i + 1);
                if (next >= '0' && next <= '9') {
                    if (next - '0' > groups) {
                        return Optional.of("replacement refers to group $" + next + " but the pattern has "
                                + groups + (groups == 1 ? " group" : " groups"));
                    }
                } else if (next == '{') {
                    int close = replacement.indexOf('}', i);
                    if (close < 0) {
                        return Optional.of("replacement has an unclosed ${");
                    }
                    String name = replacement.substring(i + 2, close);
                    if (!regex.contains("(?<" + name + ">")) {
                        return Optional.of("replacement refers to group ${" + name
                                + "} which the pattern does not define");
                    }
                    i = close;
                } else {
                    return Optional.of("replacement has $ not followed by a group number or {name}"
                            + " (write \\$ for a literal dollar)");
                }
            }
        }
        return Optional.empty();
    }
}
