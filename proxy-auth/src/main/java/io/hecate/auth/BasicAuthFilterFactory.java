package io.hecate.auth;

import io.hecate.auth.internal.BasicAuthFilter;
import io.hecate.auth.internal.PasswordChecker;
import io.hecate.auth.internal.Settings;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.filter.RouteFilterFactory;

import java.util.List;
import java.util.Map;

/**
 * Makes {@code basic} filters: HTTP Basic authentication against bcrypt hashes (as made by
 * {@code htpasswd -nbB user password} or {@code caddy hash-password}).
 *
 * <pre>{@code
 * filters:
 *   - type: basic
 *     users:                       # required: user name -> bcrypt hash ($2a$, $2b$ or $2y$)
 *       alice: "$2y$10$..."
 *     realm: restricted            # shown by browsers in the sign-in dialog
 *     user_header: X-Remote-User   # optional: set to the signed-in user upstream (and stripped from clients)
 *     pass_authorization: false    # whether the client's Authorization header goes upstream
 *     verified_cache_size: 1024    # successful checks remembered so they need no bcrypt run again
 * }</pre>
 *
 * <p>bcrypt runs on a small bounded pool of threads, never on an event loop; when more than 256
 * checks are waiting the request gets 503.
 */
public final class BasicAuthFilterFactory implements RouteFilterFactory {

    public static final String TYPE = "basic";

    private static final List<String> KEYS = List.of("users", "realm", "user_header", "pass_authorization",
            "verified_cache_size");

    private final AuthMetrics metrics;
    private final PasswordChecker checker;

    /** Records into {@link AuthMetrics#shared()}. */
    public BasicAuthFilterFactory() {
        this(AuthMetrics.shared());
    }

    public BasicAuthFilterFactory(AuthMetrics metrics) {
        this.metrics = metrics;
        this.checker = PasswordChecker.defaults();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public RouteFilter create(FilterConfig config) {
        Settings settings = Settings.of(config.settings(), KEYS);
        Map<String, String> users = settings.stringMap("users");
        if (users.isEmpty()) {
            throw settings.bad("users", "required: a mapping of user names to bcrypt hashes, e.g."
                    + " { alice: \"$2y$10$...\" } (make one with htpasswd -nbB alice PASSWORD)");
        }
        users.forEach((user, hash) -> {
            if (user.isEmpty() || user.indexOf(':') >= 0) {
                throw settings.bad("users." + user, "a user name must be non-empty and without ':'");
            }
            if (!PasswordChecker.isBcrypt(hash)) {
                throw settings.bad("users." + user, "expected a bcrypt hash like $2y$10$ followed by 53 characters;"
                        + " plain-text passwords are not accepted");
            }
        });
        String realm = settings.string("realm", "restricted");
        String userHeader = settings.string("user_header", null);
        if (userHeader != null && !userHeader.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw settings.bad("user_header", "\"" + userHeader + "\" is not a header name");
        }
        return new BasicAuthFilter(users, realm, userHeader, settings.bool("pass_authorization", false),
                settings.integer("verified_cache_size", 1024, 1, 1_000_000), checker, metrics.stats());
    }
}
