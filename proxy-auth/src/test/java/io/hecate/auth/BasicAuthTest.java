package io.hecate.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.hecate.auth.internal.PasswordChecker;
import io.hecate.core.testing.LeakWatcher;
import io.hecate.core.testing.ProxyFixture;
import io.hecate.core.testing.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static io.hecate.auth.testing.AuthProxies.get;
import static io.hecate.auth.testing.AuthProxies.guarded;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@code basic} filter: HTTP Basic against bcrypt hashes, with bcrypt off the event loop. */
class BasicAuthTest {

    private static final String ALICE_HASH = BCrypt.withDefaults().hashToString(4, "s3cret".toCharArray());
    private static final String BOB_HASH = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "pässwörd".toCharArray());

    private static LeakWatcher leaks;

    @AutoClose
    private TestBackend backend;
    @AutoClose
    private ProxyFixture proxy;
    private final AuthMetrics metrics = new AuthMetrics();

    @BeforeAll
    static void watchLeaks() {
        leaks = LeakWatcher.install();
    }

    @AfterAll
    static void noLeaks() {
        try {
            assertThat(leaks.collect()).as("Netty leak reports").isEmpty();
        } finally {
            leaks.close();
        }
    }

    @BeforeEach
    void startBackend() throws Exception {
        backend = TestBackend.start();
    }

    private void startProxy(Object... pairs) throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("users", Map.of("alice", ALICE_HASH, "bob", BOB_HASH));
        for (int i = 0; i < pairs.length; i += 2) {
            settings.put((String) pairs[i], pairs[i + 1]);
        }
        proxy = guarded(new BasicAuthFilterFactory(metrics), settings, backend);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void refusesMissingWrongAndUnknownCredentialsWithAChallenge() throws Exception {
        startProxy("realm", "Team \"A\"");
        for (String[] headers : List.of(new String[0],
                new String[] {"Authorization", basic("alice", "wrong")},
                new String[] {"Authorization", basic("mallory", "s3cret")},
                new String[] {"Authorization", "Basic not-base64!"},
                new String[] {"Authorization", "Bearer s3cret"})) {
            HttpResponse<String> response = get(proxy, "/x", headers);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                    .hasValue("Basic realm=\"Team \\\"A\\\"\", charset=\"UTF-8\"");
        }
        assertThat(backend.requestCount()).isZero();
        assertThat(metrics.decisions("app", "denied")).isEqualTo(5);
    }

    @Test
    void letsTheRightPasswordThroughWithTheUserHeaderAndWithoutTheClientsForgery() throws Exception {
        startProxy("user_header", "X-Remote-User");
        HttpResponse<String> response = get(proxy, "/x", "Authorization", basic("alice", "s3cret"),
                "X-Remote-User", "root");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().header("X-Remote-User")).isEqualTo("alice");
        assertThat(backend.lastRecorded().header("Authorization")).as("pass_authorization is off").isNull();

        assertThat(get(proxy, "/x", "Authorization", basic("bob", "pässwörd")).statusCode()).as("$2y$, UTF-8").isEqualTo(200);
        assertThat(backend.lastRecorded().header("X-Remote-User")).isEqualTo("bob");

        assertThat(get(proxy, "/x", "X-Remote-User", "root").statusCode()).isEqualTo(401);
    }

    @Test
    void passesTheAuthorizationHeaderOnlyWhenAsked() throws Exception {
        startProxy("pass_authorization", true);
        assertThat(get(proxy, "/x", "Authorization", basic("alice", "s3cret")).statusCode()).isEqualTo(200);
        assertThat(backend.lastRecorded().header("Authorization")).isEqualTo(basic("alice", "s3cret"));
    }

    @Test
    void aVerifiedPasswordIsNotHashedAgain() throws Exception {
        startProxy();
        for (int i = 0; i < 5; i++) {
            assertThat(get(proxy, "/x", "Authorization", basic("alice", "s3cret")).statusCode()).isEqualTo(200);
        }
        assertThat(metrics.passwordChecks("app")).isEqualTo(1);
        assertThat(get(proxy, "/x", "Authorization", basic("alice", "S3CRET")).statusCode()).isEqualTo(401);
        assertThat(metrics.passwordChecks("app")).as("a different password is checked").isEqualTo(2);
    }

    @Test
    void manyConcurrentSignInsAreAllAnswered() throws Exception {
        startProxy();
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String password = i % 2 == 0 ? "s3cret" : "wrong" + i;
            futures.add(ProxyFixture.HTTP.sendAsync(io.hecate.auth.testing.AuthProxies.request(proxy.uri("/x"),
                    "Authorization", basic("alice", password)), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(i % 2 == 0 ? 200 : 401);
        }
    }

    @Test
    void aFullQueueOfPasswordChecksIsRefusedRatherThanQueuedWithoutBound() {
        PasswordChecker checker = new PasswordChecker(1, 1);
        String slow = BCrypt.withDefaults().hashToString(12, "x".toCharArray());
        Executor inline = Runnable::run;
        assertThat(checker.verify("x", slow, inline, ok -> { })).as("runs").isTrue();
        assertThat(checker.verify("x", slow, inline, ok -> { })).as("queued").isTrue();
        assertThat(checker.verify("x", slow, inline, ok -> { })).as("refused").isFalse();
    }
}
