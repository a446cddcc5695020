package io.hecate.auth;

import io.hecate.auth.internal.Cidr;
import io.hecate.auth.internal.IpFilter;
import io.hecate.auth.internal.Settings;
import io.hecate.core.config.FilterConfig;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.filter.RouteFilterFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code ip} filters: allow and deny lists of addresses and CIDRs, matched against the client
 * address (the peer, or the X-Forwarded-For hop vouched for by {@code listen.trusted_proxies}).
 * A deny entry always wins; when {@code allow} is given, only addresses in it pass. Refused
 * requests get 403.
 *
 * <pre>{@code
 * filters:
 *   - type: ip
 *     allow: [10.0.0.0/8, 192.168.1.0/24, "2001:db8::/32"]
 *     deny: [10.0.13.0/24]
 * }</pre>
 */
public final class IpFilterFactory implements RouteFilterFactory {

    public static final String TYPE = "ip";

    private static final List<String> KEYS = List.of("allow", "deny");

    private final AuthMetrics metrics;

    /** Records into {@link AuthMetrics#shared()}. */
    public IpFilterFactory() {
        this(AuthMetrics.shared());
    }

    public IpFilterFactory(AuthMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public RouteFilter create(FilterConfig config) {
        Settings settings = Settings.of(config.settings(), KEYS);
        List<Cidr> allow = cidrs(settings.strings("allow", List.of()), "allow");
        List<Cidr> deny = cidrs(settings.strings("deny", List.of()), "deny");
        if (allow.isEmpty() && deny.isEmpty()) {
            throw new IllegalArgumentException("allow: give allow, deny or both (lists of addresses or CIDRs)");
        }
        return new IpFilter(allow, deny, metrics.stats());
    }

    private static List<Cidr> cidrs(List<String> entries, String key) {
        List<Cidr> result = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            try {
                result.add(Cidr.parse(entries.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "[" + i + "]: " + e.getMessage());
            }
        }
        return result;
    }
}
