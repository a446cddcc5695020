package io.hecate.auth;

import io.hecate.auth.internal.Cidr;
import io.hecate.core.config.ListenAddress;
import io.hecate.core.config.ListenConfig;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.hecate.auth.testing.AuthProxies.get;
import static io.hecate.auth.testing.AuthProxies.guarded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code ip} filter: allow and deny lists, deny wins, on the client address the trusted proxies vouch for. */
class IpFilterTest {

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    private final AuthMetrics metrics = new AuthMetrics();

    @BeforeEach
    void startBackend() throws Exception {
        backend = TestBackend.start();
    }

    private int status(List<String> allow, List<String> deny, String... headers) throws Exception {
        Map<String, Object> settings = new HashMap<>();
        if (allow != null) {
            settings.put("allow", allow);
        }
        if (deny != null) {
            settings.put("deny", deny);
        }
        try (ProxyFixture p = guarded(new IpFilterFactory(metrics), settings, backend)) {
            return get(p, "/x", headers).statusCode();
        }
    }

    @Test
    void allowsAndRefusesByTheListsAndDenyWins() throws Exception {
        assertThat(status(List.of("127.0.0.0/8"), null)).isEqualTo(200);
        assertThat(status(List.of("10.0.0.0/8", "::1"), null)).isEqualTo(403);
        assertThat(status(List.of("127.0.0.0/8"), List.of("127.0.0.1"))).as("deny wins").isEqualTo(403);
        assertThat(status(null, List.of("192.0.2.0/24"))).as("deny only: the rest is allowed").isEqualTo(200);
        assertThat(status(null, List.of("0.0.0.0/0"))).isEqualTo(403);
        assertThat(status(List.of("::ffff:127.0.0.1"), null)).as("IPv4-mapped written form").isEqualTo(200);
        assertThat(backend.requestCount()).isEqualTo(3);
        assertThat(metrics.decisions("app", "allowed")).isEqualTo(3);
        assertThat(metrics.decisions("app", "denied")).isEqualTo(3);
    }

    @Test
    void theRefusalNamesTheAddressAndForgedForwardedForIsIgnoredWithoutATrustedProxy() throws Exception {
        proxy = guarded(new IpFilterFactory(metrics), Map.of("allow", List.of("203.0.113.0/24")), backend);
        HttpResponse<String> response = get(proxy, "/x", "X-Forwarded-For", "203.0.113.9");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("403 Forbidden: client address 127.0.0.1 is not allowed\n");
    }

    @Test
    void behindATrustedProxyTheForwardedClientAddressCounts() throws Exception {
        ListenConfig listen = new ListenConfig(new ListenAddress("127.0.0.1", 0), ListenConfig.DEFAULT_HEADER_TIMEOUT,
                ListenConfig.DEFAULT_IDLE_TIMEOUT, ListenConfig.DEFAULT_MAX_REQUEST_LINE,
                ListenConfig.DEFAULT_MAX_HEADER_BYTES, List.of("127.0.0.1/32"));
        proxy = guarded(new IpFilterFactory(metrics), Map.of("allow", List.of("203.0.113.0/24"),
                "deny", List.of("203.0.113.66")), backend, null, ProxyFixture.baseConfig().listen(listen));
        assertThat(get(proxy, "/x", "X-Forwarded-For", "203.0.113.9").statusCode()).isEqualTo(200);
        assertThat(get(proxy, "/x", "X-Forwarded-For", "198.51.100.1").statusCode()).isEqualTo(403);
        assertThat(get(proxy, "/x", "X-Forwarded-For", "203.0.113.66").statusCode()).isEqualTo(403);
        assertThat(get(proxy, "/x", "X-Forwarded-For", "not-an-address").statusCode()).as("fail closed").isEqualTo(403);
    }

    @Test
    void cidrsMatchBitByBit() {
        Cidr v4 = Cidr.parse("172.16.0.0/12");
        assertThat(v4.contains(Cidr.address("172.31.255.255"))).isTrue();
        assertThat(v4.contains(Cidr.address("172.32.0.0"))).isFalse();
        assertThat(v4.contains(Cidr.address("::ffff:172.20.1.1"))).isTrue();
        Cidr v6 = Cidr.parse("2001:db8::/33");
        assertThat(v6.contains(Cidr.address("2001:db8:7fff::1"))).isTrue();
        assertThat(v6.contains(Cidr.address("2001:db8:8000::1"))).isFalse();
        assertThat(v6.contains(Cidr.address("[2001:db8::1]"))).isTrue();
        assertThat(v6.contains(Cidr.address("10.0.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.address("8.8.8.8"))).isTrue();
        assertThat(Cidr.address("example.com")).isNull();
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("prefix length must be 0..32");
        assertThatThrownBy(() -> Cidr.parse("example.com")).hasMessageContaining("is not an IP address");
    }
}
