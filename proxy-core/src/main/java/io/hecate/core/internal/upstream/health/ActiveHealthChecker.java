package io.hecate.core.internal.upstream.health;

import io.hecate.core.config.HealthCheckConfig;
import io.hecate.core.internal.upstream.Target;
import io.hecate.core.internal.upstream.TargetHealth;
import io.hecate.core.internal.upstream.Upstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs the active health checks of every upstream that has them, on one event loop of its own
 * ("hecate-health"), never on the request path: per target, a {@code GET} on a fresh connection
 * (connect and response head within the timeout; the body is not read, the connection is closed
 * once the status is known), then the next check an interval later, jittered by ±10% so checks
 * of many targets spread out. Host names are resolved by Netty's asynchronous DNS resolver.
 *
 * <p>All of its state is confined to its loop: {@link #update} and {@link #stop} hand their work
 * to it.
 */
public final class ActiveHealthChecker {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveHealthChecker.class);
    private static final int MAX_RESPONSE_LINE = 8192;
    private static final int MAX_RESPONSE_HEADERS = 65536;
    static final String USER_AGENT = "hecate-health-check";

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private Map<String, Check> checks = new HashMap<>();
    private boolean stopped;

    /** @param loop the loop every check runs on; the caller owns (and shuts down) its group */
    public ActiveHealthChecker(EventLoop loop, Class<? extends SocketChannel> channelType,
                               AddressResolverGroup<InetSocketAddress> resolver) {
        this.loop = loop;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true);
    }

    /**
     * Checks the targets of {@code upstreams} from now on: checks of targets that stay, with the
     * same settings and the same health state, go on undisturbed; the others stop or start.
     */
    public void update(Collection<Upstream> upstreams) {
        List<Upstream> copy = List.copyOf(upstreams);
        loop.execute(() -> reconcile(copy));
    }

    /** Stops every check; a check in flight is abandoned. */
    public void stop() {
        if (loop.isShuttingDown()) {
            return;
        }
        loop.execute(() -> {
            stopped = true;
            checks.values().forEach(Check::cancel);
            checks = new HashMap<>();
        });
    }

    private void reconcile(List<Upstream> upstreams) {
        if (stopped) {
            return;
        }
        Map<String, Check> wanted = new HashMap<>();
        List<Check> started = new ArrayList<>();
        for (Upstream upstream : upstreams) {
            HealthCheckConfig config = upstream.config().healthCheck();
            if (config == null) {
                continue;
            }
            for (Target target : upstream.targets()) {
                String key = upstream.name() + "\n" + target.key();
                Check existing = checks.get(key);
                if (existing != null && existing.config.equals(config) && existing.health == target.health()) {
                    wanted.put(key, existing);
                } else if (!wanted.containsKey(key)) {
                    Check check = new Check(upstream.name(), target, config);
                    wanted.put(key, check);
                    started.add(check);
                }
            }
        }
        checks.forEach((key, check) -> {
            if (wanted.get(key) != check) {
                check.cancel();
            }
        });
        checks = wanted;
        for (Check check : started) {
            // The first check soon, spread over a tenth of the interval.
            check.schedule(ThreadLocalRandom.current().nextLong(Math.max(1, check.config.interval().toNanos() / 10)));
        }
    }

    /** The repeated check of one target. Confined to the loop. */
    private final class Check {

        final String upstream;
        final Target target;
        final TargetHealth health;
        final HealthCheckConfig config;
        private boolean cancelled;
        private ScheduledFuture<?> next;
        private ScheduledFuture<?> deadline;
        private Channel channel;
        private int run;
        private boolean runDone = true;

        Check(String upstream, Target target, HealthCheckConfig config) {
            this.upstream = upstream;
            this.target = target;
            this.health = target.health();
            this.config = config;
        }

        void schedule(long delayNanos) {
            if (!cancelled) {
                next = loop.schedule(this::start, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        void cancel() {
            cancelled = true;
            if (next != null) {
                next.cancel(false);
            }
            finishRun();
        }

        private void start() {
            if (cancelled) {
                return;
            }
            int thisRun = ++run;
            runDone = false;
            long timeoutMillis = Math.max(1, config.timeout().toMillis());
            deadline = loop.schedule(() -> complete(thisRun, false, null, "timed out after " + timeoutMillis + "ms"),
                    timeoutMillis, TimeUnit.MILLISECONDS);
            ChannelFuture connect = bootstrap.clone()
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(
                                    new HttpClientCodec(new HttpDecoderConfig()
                                            .setMaxInitialLineLength(MAX_RESPONSE_LINE)
                                            .setMaxHeaderSize(MAX_RESPONSE_HEADERS), false, false),
                                    new ResponseHandler(Check.this, thisRun));
                        }
                    })
                    .connect(target.unresolvedAddress());
            channel = connect.channel();
            connect.addListener((ChannelFuture done) -> {
                if (!done.isSuccess()) {
                    complete(thisRun, false, null, "cannot connect: " + describe(done.cause()));
                    return;
                }
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                        config.path(), Unpooled.EMPTY_BUFFER);
                request.headers()
                        .set(HttpHeaderNames.HOST, target.key())
                        .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                done.channel().writeAndFlush(request).addListener((ChannelFuture written) -> {
                    if (!written.isSuccess()) {
                        complete(thisRun, false, null, "cannot send the check: " + describe(written.cause()));
                    }
                });
            });
        }

        void complete(int ofRun, boolean passed, String result, String error) {
            if (ofRun != run || runDone) {
                return;
            }
            finishRun();
            if (cancelled) {
                return;
            }
            if (health.recordCheck(passed, result, error, config, health.upstream().now())) {
                if (health.checkHealthy() && !health.ejectedAt(health.upstream().now())) {
                    LOG.info("upstream {} target {} is up: health check passed ({})", upstream, target.key(), result);
                } else if (!health.checkHealthy()) {
                    LOG.warn("upstream {} target {} is down: health check failed ({})", upstream, target.key(),
                            error);
                }
            }
            long interval = config.interval().toNanos();
            long jitter = interval / 10;
            schedule(interval - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
        }

        private void finishRun() {
            runDone = true;
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }

    /** Waits for the response head of one check; everything it receives is released by the superclass. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<HttpObject> {

        private final Check check;
        private final int run;

        ResponseHandler(Check check, int run) {
            this.check = check;
            this.run = run;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message.decoderResult().isFailure()) {
                check.complete(run, false, null, "invalid response: " + describe(message.decoderResult().cause()));
            } else if (message instanceof HttpResponse response) {
                int status = response.status().code();
                if (status >= 100 && status < 200) {
                    return;
                }
                boolean passed = check.config.passes(status);
                check.complete(run, passed, Integer.toString(status), passed ? null : "unexpected status " + status);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            check.complete(run, false, null, "connection closed before the response");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            check.complete(run, false, null, describe(cause));
            ctx.close();
        }
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
