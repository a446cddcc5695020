package io.hecate.core.internal.http;

import io.hecate.core.config.SecurityHeadersConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;

/**
 * A route's security headers policy, compiled: applied to the head of every response the route
 * sends, proxied or local, just before it is written. Immutable; used from every event loop.
 */
public final class SecurityHeaders {

    private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    private static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
    private static final AsciiString X_FRAME_OPTIONS = AsciiString.cached("x-frame-options");
    private static final AsciiString REFERRER_POLICY = AsciiString.cached("referrer-policy");
    private static final AsciiString PERMISSIONS_POLICY = AsciiString.cached("permissions-policy");

    private final AsciiString hsts;
    private final AsciiString[] names;
    private final AsciiString[] values;
    private final AsciiString[] remove;
    private final boolean override;

    private SecurityHeaders(SecurityHeadersConfig config) {
        this.hsts = config.hsts() == null ? null : new AsciiString(config.hsts());
        List<AsciiString> n = new ArrayList<>();
        List<AsciiString> v = new ArrayList<>();
        add(n, v, X_CONTENT_TYPE_OPTIONS, config.contentTypeOptions());
        add(n, v, X_FRAME_OPTIONS, config.frameOptions());
        add(n, v, REFERRER_POLICY, config.referrerPolicy());
        add(n, v, HttpHeaderNames.CONTENT_SECURITY_POLICY, config.contentSecurityPolicy());
        add(n, v, PERMISSIONS_POLICY, config.permissionsPolicy());
        this.names = n.toArray(AsciiString[]::new);
        this.values = v.toArray(AsciiString[]::new);
        this.remove = config.remove().stream().map(AsciiString::new).toArray(AsciiString[]::new);
        this.override = config.override();
    }

    /** @return the compiled policy, or {@code null} when {@code config} is */
    public static SecurityHeaders of(SecurityHeadersConfig config) {
        return config == null ? null : new SecurityHeaders(config);
    }

    private static void add(List<AsciiString> names, List<AsciiString> values, AsciiString name, String value) {
        if (value != null) {
            names.add(name);
            values.add(new AsciiString(value));
        }
    }

    /**
     * @param secure the client reached Hecate over HTTPS (directly, or as a trusted proxy says):
     *               only then is {@code Strict-Transport-Security} sent (RFC 6797 §7.2)
     */
    public void apply(HttpHeaders headers, boolean secure) {
        for (AsciiString name : remove) {
            headers.remove(name);
        }
        for (int i = 0; i < names.length; i++) {
            put(headers, names[i], values[i]);
        }
        if (hsts != null) {
            if (secure) {
                put(headers, STRICT_TRANSPORT_SECURITY, hsts);
            } else {
                // An upstream's HSTS over plain HTTP is as wrong as ours would be.
                headers.remove(STRICT_TRANSPORT_SECURITY);
            }
        }
    }

    private void put(HttpHeaders headers, AsciiString name, AsciiString value) {
        if (override || !headers.contains(name)) {
            headers.set(name, value);
        }
    }
}
