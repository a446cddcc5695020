package io.hecate.core.internal.limit;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Redis server that cluster-scope buckets live in: a Lettuce connection (asynchronous, on
 * Lettuce's own event loop) and bucket4j's asynchronous compare-and-swap proxy manager over it.
 *
 * <p>Whether Redis may be asked is decided without waiting: no connection yet, a connection that
 * is down (Lettuce reconnects it in the background and rejects commands meanwhile), or a recent
 * failure or timeout (for {@code retry_interval}) all mean "use the local bucket now". The first
 * connection is made asynchronously when the link is created and retried, at most once per
 * {@code retry_interval}, when a request finds none. Every change between reachable and not is
 * logged once.
 */
final class RedisLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    /** Redis keys of buckets live until refilled, plus this margin, then Redis drops them. */
    private static final Duration KEY_MARGIN = Duration.ofSeconds(5);

    private final RateLimitSettings.RedisSettings settings;
    private final RedisClient client;
    private final RedisURI uri;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile AsyncProxyManager<String> buckets;
    /** Before this (System.nanoTime), Redis is not asked: a connection attempt or a command failed. */
    private volatile long quietUntilNanos = System.nanoTime();
    private volatile boolean closed;

    RedisLink(RateLimitSettings.RedisSettings settings, ClientResources resources) {
        this.settings = settings;
        RedisURI.Builder builder = RedisURI.builder().withHost(settings.host()).withPort(settings.port())
                .withDatabase(settings.database()).withTimeout(settings.timeout());
        if (settings.password() != null) {
            builder.withPassword(settings.password().toCharArray());
        }
        this.uri = builder.build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout(settings)).build())
                .build());
        connect();
    }

    private static Duration connectTimeout(RateLimitSettings.RedisSettings settings) {
        Duration atLeast = Duration.ofMillis(500);
        return settings.timeout().compareTo(atLeast) > 0 ? settings.timeout() : atLeast;
    }

    String address() {
        return settings.address();
    }

    RateLimitSettings.RedisSettings settings() {
        return settings;
    }

    /** Whether Redis is taking commands as far as is known now (the metrics' gauge). */
    boolean up() {
        StatefulRedisConnection<String, byte[]> c = connection;
        return c != null && c.isOpen() && System.nanoTime() - quietUntilNanos >= 0;
    }

    /**
     * The buckets in Redis if Redis may be asked now, else {@code null} (use the local bucket).
     * Never waits.
     */
    AsyncProxyManager<String> buckets() {
        if (closed) {
            return null;
        }
        StatefulRedisConnection<String, byte[]> c = connection;
        long now = System.nanoTime();
        if (c == null) {
            if (now - quietUntilNanos >= 0) {
                connect();
            }
            return null;
        }
        if (!c.isOpen()) {
            unreachable("connection lost, Lettuce is reconnecting");
            return null;
        }
        return now - quietUntilNanos >= 0 ? buckets : null;
    }

    /** A command failed or took longer than {@code timeout}: leave Redis alone for {@code retry_interval}. */
    void failed(Throwable cause) {
        quietUntilNanos = System.nanoTime() + settings.retryInterval().toNanos();
        unreachable(cause == null ? "no answer within " + settings.timeout().toMillis() + "ms" : describe(cause));
    }

    void succeeded() {
        if (reachable.compareAndSet(false, true)) {
            LOG.info("redis {} reachable again: cluster-scope rate limits are shared again", settings.address());
        }
    }

    private void unreachable(String why) {
        if (reachable.compareAndSet(true, false)) {
            LOG.warn("redis {} unreachable ({}): cluster-scope rate limits fall back to this node's local buckets",
                    settings.address(), why);
        }
    }

    private void connect() {
        if (closed || !connecting.compareAndSet(false, true)) {
            return;
        }
        quietUntilNanos = System.nanoTime() + settings.retryInterval().toNanos();
        client.connectAsync(CODEC, uri).whenComplete((opened, error) -> {
            connecting.set(false);
            if (error != null) {
                unreachable(describe(error));
                return;
            }
            if (closed) {
                opened.closeAsync();
                return;
            }
            buckets = Bucket4jLettuce.casBasedBuilder(opened)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEY_MARGIN))
                    .build()
                    .asAsync();
            connection = opened;
            quietUntilNanos = System.nanoTime();
            succeeded();
        });
    }

    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
