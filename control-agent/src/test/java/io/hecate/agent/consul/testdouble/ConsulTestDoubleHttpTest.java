package io.hecate.agent.consul.testdouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.agent.model.Self;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP surface: ACL tokens, datacenters, headers, unknown paths, the agent and status reads, HTTPS. */
@Timeout(30)
class ConsulTestDoubleHttpTest extends AgainstTheDouble {

    @Test
    void startsOnLoopbackWithAnAddressAndAnIndex() {
        assertThat(consul.address()).isEqualTo("http://127.0.0.1:" + consul.port());
        assertThat(consul.port()).isPositive();
        assertThat(consul.index()).isPositive();
    }

    @Test
    void startsOnAGivenPort() throws IOException {
        int free;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            free = probe.getLocalPort();
        }
        try (ConsulTestDouble fixed = ConsulTestDouble.start(free)) {
            assertThat(fixed.port()).isEqualTo(free);
            assertThat(new PlainHttp(fixed.address()).get("/v1/status/leader").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withAclsOnOnlyTheRightTokenGetsThrough() {
        consul.put("k", "v");
        consul.requireToken("s3cret");

        HttpResponse<String> none = http.get("/v1/kv/k");
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.body()).isEqualTo("ACL not found");
        assertThat(http.get("/v1/kv/k", "X-Consul-Token", "wrong").statusCode()).isEqualTo(403);
        assertThat(http.put("/v1/kv/k", "changed").statusCode()).isEqualTo(403);
        assertThat(consul.get("k")).isEqualTo("v");

        assertThat(http.get("/v1/kv/k", "X-Consul-Token", "s3cret").statusCode()).isEqualTo(200);
        assertThat(http.get("/v1/kv/k", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
        assertThat(http.get("/v1/kv/k?token=s3cret").statusCode()).isEqualTo(200);

        ConsulClient ecwid = new ConsulClient("127.0.0.1", consul.port());
        assertThat(ecwid.getKVValue("k", "s3cret").getValue().getDecodedValue()).isEqualTo("v");
        assertThatThrownBy(() -> ecwid.getKVValue("k"))
                .isInstanceOfSatisfying(OperationException.class, e -> assertThat(e.getStatusCode()).isEqualTo(403));

        assertThat(consul.requests()).extracting(RecordedRequest::token)
                .containsExactly(null, "wrong", null, "s3cret", "s3cret", "s3cret", "s3cret", null);
    }

    @Test
    void anotherDatacenterHasNoPath() {
        HttpResponse<String> other = http.get("/v1/kv/k?dc=dc2");

        assertThat(other.statusCode()).isEqualTo(500);
        assertThat(other.body()).isEqualTo("No path to datacenter");
        assertThat(http.get("/v1/catalog/services?dc=dc1").statusCode()).isEqualTo(200);
    }

    @Test
    void everyGetCarriesConsulsHeaders() {
        HttpResponse<String> services = http.get("/v1/catalog/services");

        assertThat(services.statusCode()).isEqualTo(200);
        assertThat(services.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(services.headers().firstValueAsLong("X-Consul-Index").orElse(0)).isPositive();
        assertThat(services.headers().firstValue("X-Consul-KnownLeader")).hasValue("true");
        assertThat(services.headers().firstValue("X-Consul-LastContact")).hasValue("0");
        assertThat(services.body()).isEqualTo("{}");
    }

    @Test
    void unknownEndpointsAre404AndWrongMethods405() {
        assertThat(http.get("/v1/acl/tokens").statusCode()).isEqualTo(404);
        assertThat(http.get("/v2/kv/x").statusCode()).isEqualTo(404);
        assertThat(http.get("/v1/session/create").statusCode()).isEqualTo(405);
        assertThat(http.send("POST", "/v1/kv/x", "v").statusCode()).isEqualTo(405);
        assertThat(http.get("/v1/kv/x?index=abc").statusCode()).isEqualTo(400);
        assertThat(http.get("/v1/kv/x?index=1&wait=5").statusCode()).as("a wait without unit").isEqualTo(400);
    }

    @Test
    void agentSelfAndStatusLeader() {
        ConsulClient ecwid = new ConsulClient("127.0.0.1", consul.port());

        assertThat(http.get("/v1/status/leader").body()).isEqualTo("\"127.0.0.1:8300\"");
        assertThat(ecwid.getStatusLeader().getValue()).isEqualTo("127.0.0.1:8300");
        Self self = ecwid.getAgentSelf().getValue();
        assertThat(self.getConfig().getDatacenter()).isEqualTo("dc1");
        assertThat(self.getConfig().getNodeName()).isEqualTo("consul-double");
        assertThat(self.getMember().getName()).isEqualTo("consul-double");
    }

    @Test
    void requestsAreRecordedUntilCleared() {
        Instant before = Instant.now();
        http.put("/v1/kv/a?flags=3", "v", "X-Consul-Token", "t1");
        http.get("/v1/kv/a?raw");

        List<RecordedRequest> requests = consul.requests();
        assertThat(requests).extracting(RecordedRequest::method).containsExactly("PUT", "GET");
        assertThat(requests).extracting(RecordedRequest::path).containsOnly("/v1/kv/a");
        assertThat(requests).extracting(RecordedRequest::rawQuery).containsExactly("flags=3", "raw");
        assertThat(requests.get(0).token()).isEqualTo("t1");
        assertThat(requests.get(0).time()).isAfterOrEqualTo(before);

        consul.clearRequests();
        assertThat(consul.requests()).isEmpty();
    }

    @Test
    void servesHttpsWithTheGivenContext() throws Exception {
        X509Bundle authority = new CertificateBuilder()
                .subject("CN=Consul double test CA")
                .setIsCertificateAuthority(true)
                .ecp256()
                .buildSelfSigned();
        X509Bundle certificate = new CertificateBuilder()
                .subject("CN=localhost")
                .addSanIpAddress("127.0.0.1")
                .addSanDnsName("localhost")
                .addExtendedKeyUsageServerAuth()
                .ecp256()
                .buildIssuedBy(authority);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(certificate.toKeyManagerFactory().getKeyManagers(), null, null);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, authority.toTrustManagerFactory().getTrustManagers(), null);

        try (ConsulTestDouble https = ConsulTestDouble.startHttps(server)) {
            assertThat(https.address()).isEqualTo("https://127.0.0.1:" + https.port());
            PlainHttp tls = new PlainHttp(https.address(), client);
            assertThat(tls.put("/v1/kv/secure", "yes").body()).isEqualTo("true");
            assertThat(tls.get("/v1/kv/secure?raw").body()).isEqualTo("yes");

            try (CloseableHttpClient apache = HttpClientBuilder.create().setSSLContext(client).build()) {
                ConsulClient ecwid = new ConsulClient(new ConsulRawClient("https://127.0.0.1", https.port(), apache));
                assertThat(ecwid.getKVValue("secure").getValue().getDecodedValue()).isEqualTo("yes");
            }
            assertThat(https.get("secure")).isEqualTo("yes");
        }
    }
}
