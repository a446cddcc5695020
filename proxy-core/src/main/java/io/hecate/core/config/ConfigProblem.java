package io.hecate.core.config;

/**
 * One thing wrong with a configuration.
 *
 * @param source  the file (or other origin) it came from, or {@code null} for a config built in code
 * @param line    1-based line in that file, or 0 when unknown
 * @param path    the key path, e.g. {@code routes[2].proxy.upstream}
 * @param message what is wrong, in words an operator can act on
 */
public record ConfigProblem(String source, int line, String path, String message) {

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        if (source != null) {
            text.append(source);
            if (line > 0) {
                text.append(':').append(line);
            }
            text.append(": ");
        }
        if (path != null && !path.isEmpty()) {
            text.append(path).append(": ");
        }
        return text.append(message).toString();
    }
}
