package io.hecate.core.config;

/**
 * The admin listener (metrics, health, config, reload).
 *
 * @param listen where the admin API listens, or {@code null} to run without one
 */
public record AdminConfig(ListenAddress listen) {

    public static final ListenAddress DEFAULT_LISTEN = new ListenAddress("127.0.0.1", 9901);

    public static AdminConfig defaults() {
        return new AdminConfig(DEFAULT_LISTEN);
    }

    public static AdminConfig disabled() {
        return new AdminConfig(null);
    }

    public boolean enabled() {
        return listen != null;
    }
}
