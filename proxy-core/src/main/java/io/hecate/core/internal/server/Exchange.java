package io.hecate.core.internal.server;

import io.hecate.core.config.HeaderRules;
import io.hecate.core.config.ProxyAction;
import io.hecate.core.config.RedirectAction;
import io.hecate.core.config.RespondAction;
import io.hecate.core.config.RetryConfig;
import io.hecate.core.config.UpstreamProtocol;
import io.hecate.core.config.RouteAction;
import io.hecate.core.filter.FilterChain;
import io.hecate.core.filter.FilterExchange;
import io.hecate.core.internal.http.ForwardedHeaders;
import io.hecate.core.internal.http.HopByHop;
import io.hecate.core.internal.http.PlainResponse;
import io.hecate.core.internal.http.RequestTarget;
import io.hecate.core.internal.http.ResponseHeaderEdits;
import io.hecate.core.internal.http.SecurityHeaders;
import io.hecate.core.internal.limit.AdmissionTicket;
import io.hecate.core.internal.log.AccessLogEntry;
import io.hecate.core.internal.route.Route;
import io.hecate.core.internal.runtime.ProxyRuntime;
import io.hecate.core.tls.HttpChallengeResponder;
import io.hecate.core.internal.runtime.Snapshot;
import io.hecate.core.internal.upstream.ConnectListener;
import io.hecate.core.internal.upstream.Outcome;
import io.hecate.core.internal.upstream.PickContext;
import io.hecate.core.internal.upstream.StreamRefusedException;
import io.hecate.core.internal.upstream.Target;
import io.hecate.core.internal.upstream.Upstream;
import io.hecate.core.internal.upstream.UpstreamConnection;
import io.hecate.core.internal.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One request and its response, from the request head to the last byte of the response.
 * Everything here runs on the downstream channel's event loop, which is also the loop of the
 * upstream connection, so no state needs a lock.
 *
 * <p>Flow control is pull-based on both sides: the next request part is read from the client only
 * once the upstream can take it, and the next response part is read from the upstream only once
 * the client can take it. Each message is written once and never held, so what the proxy buffers
 * per exchange is bounded by the channels' write-buffer high-water marks.
 *
 * <p>Buffer ownership: every {@link HttpContent} handed to this class is either written to the
 * other channel (which then owns it) or released here, on every path.
 */
final class Exchange implements FilterExchange, FilterChain, UpstreamListener, ConnectListener, PickContext,
        ResponseHeaderEdits {

    /** Bodies up to this size are read and thrown away after a local answer, to keep the downstream. */
    private static final long MAX_DISCARDED_BODY = 64 * 1024;
    private static final String UNMATCHED = "_unmatched";
    /** Told to clients when no target is healthy: about one active health-check round. */
    private static final int RETRY_AFTER_SECONDS = 5;
    private static final String X_FORWARDED_PROTO = "x-forwarded-proto";

    private final Downstream downstream;
    private final ProxyRuntime runtime;
    private final Snapshot snapshot;
    private final HttpRequest request;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private final String method;
    private final String originalUri;
    private final boolean clientKeepAlive;
    private final boolean clientHttp11;
    private final boolean headRequest;
    private final boolean requestChunked;
    private final boolean expectsContinue;
    private final long requestLength;
    private final InetSocketAddress remote;
    private final String scheme;
    private String clientAddress;

    private RequestTarget target;
    private Route route;
    private int filterIndex = -1;
    private ProxyAction proxy;
    private Upstream upstream;
    private Target upstreamTarget;
    private final List<Target> tried = new ArrayList<>(2);
    private ReplayBuffer replay;
    /** The slow-body guard: runs while Hecate waits for the next body part it is ready to take. */
    private Deadline bodyDeadline;
    /** When the response head must have arrived, over all tries; set once the request is complete. */
    private long deadlineNanos;
    private UpstreamConnection upstreamConnection;

    private boolean requestComplete;
    private boolean discardingBody;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean interimResponse;
    private boolean upstreamReusable;
    private boolean tryInFlight;
    private boolean interimSent;
    private boolean upgradeRequested;
    private boolean tunnel;
    private boolean keepAlive;
    private boolean finished;
    private int status;
    private long bytesIn;
    private long bytesOut;
    private String error;
    /** Edge protection: this request's admission to its upstream (breaker, bulkhead); null until proxied. */
    private AdmissionTicket admission;
    /** Edge protection: edits filters asked for on the response head (rate limit fields); usually null. */
    private List<Consumer<HttpHeaders>> responseEdits;

    Exchange(Downstream downstream, ProxyRuntime runtime, HttpRequest request, String scheme) {
        this.downstream = downstream;
        this.runtime = runtime;
        this.snapshot = runtime.snapshot();
        this.request = request;
        this.scheme = scheme;
        this.method = request.method().name();
        this.originalUri = request.uri();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.clientHttp11 = request.protocolVersion().minorVersion() >= 1;
        this.headRequest = HttpMethod.HEAD.equals(request.method());
        this.requestChunked = HttpUtil.isTransferEncodingChunked(request);
        this.requestLength = HttpUtil.getContentLength(request, 0L);
        this.expectsContinue = HttpUtil.is100ContinueExpected(request);
        this.remote = downstream.remoteAddress();
    }

    void start() {
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            ReferenceCountUtil.release(request);
            requestComplete = true;
            respondError(statusFor(cause), describe(cause), true);
            return;
        }
        clientAddress = snapshot.trustedProxies().clientAddress(remote, downstream.peerIp(),
                ForwardedHeaders.forwardedFor(request.headers()));
        try {
            target = RequestTarget.of(request);
        } catch (RequestTarget.Invalid invalid) {
            respondError(HttpResponseStatus.BAD_REQUEST, invalid.getMessage(), true);
            return;
        }
        if (answeredChallenge()) {
            return;
        }
        route = snapshot.routes().find(target.host(), target.path(), request.method(), request.headers(), scheme);
        if (route == null) {
            respondError(HttpResponseStatus.NOT_FOUND, "no route matched "
                    + (target.host() == null ? "" : target.host()) + target.path(), false);
            return;
        }
        proceed();
    }

    /** An ACME HTTP-01 challenge the TLS module is waiting for is answered before routing. */
    private boolean answeredChallenge() {
        HttpChallengeResponder responder = runtime.challenges();
        if (responder == null || !target.path().startsWith(HttpChallengeResponder.PATH_PREFIX)
                || !(HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method()))) {
            return false;
        }
        String token = target.path().substring(HttpChallengeResponder.PATH_PREFIX.length());
        if (token.isEmpty() || token.indexOf('/') >= 0) {
            return false;
        }
        String answer = responder.keyAuthorization(target.host(), token);
        if (answer == null) {
            return false;
        }
        respondLocally(PlainResponse.text(downstream.alloc(), HttpResponseStatus.OK, answer, null), false);
        return true;
    }

    // ---- filter chain -------------------------------------------------------------------------

    @Override
    public void proceed() {
        if (!downstream.eventLoop().inEventLoop()) {
            downstream.eventLoop().execute(this::proceed);
            return;
        }
        if (finished || responseStarted) {
            return;
        }
        filterIndex++;
        if (filterIndex < route.filters().length) {
            try {
                route.filters()[filterIndex].onRequest(this, this);
            } catch (RuntimeException e) {
                respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "filter " + filterIndex + " of route "
                        + route.id() + " failed: " + e, false);
            }
            return;
        }
        runAction();
    }

    @Override
    public void respond(HttpResponseStatus responseStatus, HttpHeaders headers, String body) {
        if (!downstream.eventLoop().inEventLoop()) {
            downstream.eventLoop().execute(() -> respond(responseStatus, headers, body));
            return;
        }
        if (!finished && !responseStarted) {
            respondLocally(PlainResponse.text(downstream.alloc(), responseStatus, body, headers), false);
        }
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public String scheme() {
        return scheme;
    }

    @Override
    public String routeId() {
        return route == null ? null : route.id();
    }

    @Override
    public EventLoop eventLoop() {
        return downstream.eventLoop();
    }

    // ---- actions --------------------------------------------------------------------------------

    private void runAction() {
        RouteAction action = route.action();
        if (action instanceof ProxyAction proxyAction) {
            proxy(proxyAction);
        } else if (action instanceof RespondAction respond) {
            HttpHeaders headers = new io.netty.handler.codec.http.DefaultHttpHeaders();
            respond.headers().forEach(headers::set);
            respondLocally(PlainResponse.text(downstream.alloc(), HttpResponseStatus.valueOf(respond.status()), respond.body(), headers), false);
        } else if (action instanceof RedirectAction redirect) {
            FullHttpResponse response = PlainResponse.text(downstream.alloc(), HttpResponseStatus.valueOf(redirect.status()), null, null);
            response.headers().set(HttpHeaderNames.LOCATION, expand(redirect.location()));
            respondLocally(response, false);
        }
    }

    private String expand(String location) {
        String host = target.host() == null ? "" : target.host();
        return location.replace("{host}", host)
                .replace("{path}", target.path())
                .replace("{query}", target.query() == null ? "" : target.query())
                .replace("{uri}", target.uri());
    }

    private void proxy(ProxyAction action) {
        proxy = action;
        if (action.maxRequestBody() > 0 && requestLength > action.maxRequestBody()) {
            respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body of " + requestLength
                    + " bytes exceeds the route's limit of " + action.maxRequestBody() + " bytes", true);
            return;
        }
        upstream = snapshot.upstream(action.upstream());
        if (!admit()) {
            return;
        }
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        // h2c is Hecate's own upgrade, never the upstream's; an h2c upstream cannot switch protocols.
        upgradeRequested = upgrade != null && !"h2c".equalsIgnoreCase(upgrade.trim())
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && upstream.config().protocol() == UpstreamProtocol.HTTP1;
        prepareUpstreamRequest(action);
        if (upgradeRequested) {
            request.headers().set(HttpHeaderNames.UPGRADE, upgrade).set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        if (route.retryBudget() != null) {
            route.retryBudget().onRequest();
        }
        boolean hasBody = requestChunked || requestLength > 0;
        if (hasBody) {
            bodyDeadline = new Deadline(downstream.eventLoop(), snapshot.config().listen().bodyTimeout().toNanos(),
                    this::onBodyTimeout);
        }
        if (action.retry().attempts() > 1 && hasBody && (requestChunked || requestLength <= action.retry().maxBody())) {
            replay = new ReplayBuffer(action.retry().maxBody());
        }
        Target first = upstream.pick(this, tried);
        if (first == null) {
            FullHttpResponse unavailable = PlainResponse.error(downstream.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "upstream " + upstream.name() + " has no healthy target");
            unavailable.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
            error = "upstream " + upstream.name() + " has no healthy target";
            respondLocally(unavailable, false);
            return;
        }
        beginTry(first);
    }

    private void beginTry(Target next) {
        upstreamTarget = next;
        tried.add(next);
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            request.headers().set(HttpHeaderNames.HOST, next.key());
        }
        upstream.started(next);
        tryInFlight = true;
        downstream.pool().acquire(next, upstream.config(), this);
    }

    /**
     * Starts another try on another target when the rules allow it (see {@link RetryConfig}); when
     * they do not, returns false and leaves the current try's outcome to the caller.
     *
     * @param neverReached the failed try provably did not reach the upstream, or is the race of a
     *                     pooled connection closed as it was reused; such retries cost no budget
     */
    private boolean retry(boolean neverReached) {
        if (finished || responseStarted || interimSent || tried.size() >= proxy.retry().attempts()
                || (deadlineNanos != 0 && System.nanoTime() >= deadlineNanos)
                || (!neverReached && !isIdempotent())
                || (bytesIn > 0 && (replay == null || !replay.complete()))) {
            return false;
        }
        Target next = upstream.pick(this, tried);
        if (next == null || (!neverReached && !route.retryBudget().tryWithdraw())) {
            return false;
        }
        cancelResponseTimer();
        UpstreamConnection previous = upstreamConnection;
        upstreamConnection = null;
        if (previous != null) {
            previous.close();
        }
        beginTry(next);
        return true;
    }

    private void prepareUpstreamRequest(ProxyAction proxy) {
        HttpHeaders headers = request.headers();
        HopByHop.strip(headers);
        if (requestChunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        String path = route.rewritePath(target.path());
        request.setUri(target.query() == null ? path : path + "?" + target.query());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (proxy.host() != null) {
            headers.set(HttpHeaderNames.HOST, proxy.host());
        }
        ForwardedHeaders.apply(headers, downstream.peerIp(), snapshot.trustedProxies().trusts(remote), scheme,
                target.authority());
        edit(headers, proxy.requestHeaders());
    }

    private static void edit(HttpHeaders headers, HeaderRules rules) {
        if (rules.isEmpty()) {
            return;
        }
        for (String name : rules.remove()) {
            headers.remove(name);
        }
        for (Map.Entry<String, String> set : rules.set().entrySet()) {
            headers.set(set.getKey(), set.getValue());
        }
        for (Map.Entry<String, String> add : rules.add().entrySet()) {
            headers.add(add.getKey(), add.getValue());
        }
    }

    @Override
    public void onConnected(UpstreamConnection upstreamConn) {
        if (finished) {
            upstreamConn.release();
            return;
        }
        upstreamConnection = upstreamConn;
        upstreamConn.attach(this);
        Channel up = upstreamConn.channel();
        // Flushed at once: a client that sent Expect: 100-continue sends no body until the upstream answers.
        up.writeAndFlush(request, up.voidPromise());
        if (tried.size() > 1) {
            if (replay != null) {
                replay.writeTo(up);
            } else if (requestComplete) {
                up.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, up.voidPromise());
            }
        }
        if (requestComplete) {
            startTryTimer();
        } else {
            readRequestBody(up);
        }
        upstreamConn.requestRead();
    }

    @Override
    public void onConnectFailed(Throwable cause) {
        endTry(Outcome.CONNECT_FAILURE);
        if (finished || retry(true)) {
            return;
        }
        if (cause instanceof ConnectTimeoutException) {
            respondError(HttpResponseStatus.GATEWAY_TIMEOUT, "connecting to upstream " + upstream.name() + " ("
                    + upstreamTarget.key() + ") timed out after " + upstream.config().connectTimeout().toMillis() + "ms", false);
        } else {
            respondError(HttpResponseStatus.BAD_GATEWAY, "cannot connect to upstream " + upstream.name() + " ("
                    + upstreamTarget.key() + "): " + describe(cause), false);
        }
    }

    // ---- request body: downstream -> upstream ----------------------------------------------------

    private void readRequestBody(Channel up) {
        if (requestComplete) {
            return;
        }
        if (up.isWritable()) {
            wantBody();
        } else {
            if (bodyDeadline != null) {
                bodyDeadline.disarm();
            }
            up.flush();
        }
    }

    /** Asks the client for the next body part; from now on its silence counts against it. */
    private void wantBody() {
        if (bodyDeadline != null && !requestComplete && !tunnel) {
            bodyDeadline.arm();
        }
        downstream.requestRead();
    }

    private void onBodyTimeout() {
        if (finished || requestComplete) {
            return;
        }
        failUpstream(HttpResponseStatus.REQUEST_TIMEOUT, "the request body stalled: nothing arrived for "
                + snapshot.config().listen().bodyTimeout().toMillis() + "ms", true);
    }

    void onRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (bodyDeadline != null) {
            bodyDeadline.disarm();
        }
        if (!content.decoderResult().isSuccess()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            requestComplete = true;
            failUpstream(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + describe(cause), true);
            return;
        }
        if (discardingBody || upstreamConnection == null) {
            content.release();
            if (last) {
                requestComplete = true;
                if (responseComplete) {
                    finish();
                }
            } else {
                downstream.requestRead();
            }
            return;
        }
        bytesIn += content.content().readableBytes();
        if (proxy.maxRequestBody() > 0 && bytesIn > proxy.maxRequestBody()) {
            content.release();
            requestComplete = true;
            failUpstream(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body exceeds the route's limit of "
                    + proxy.maxRequestBody() + " bytes", true);
            return;
        }
        if (replay != null) {
            replay.keep(content);
        }
        Channel up = upstreamConnection.channel();
        if (last) {
            requestComplete = true;
            up.writeAndFlush(content, up.voidPromise());
            if (!responseStarted) {
                startTryTimer();
            }
        } else {
            up.write(content, up.voidPromise());
            readRequestBody(up);
        }
    }

    void onDownstreamReadComplete() {
        if (upstreamConnection != null) {
            upstreamConnection.channel().flush();
        }
        if (discardingBody
                || ((!requestComplete || tunnel) && upstreamConnection != null && upstreamConnection.channel().isWritable())) {
            wantBody();
        }
    }

    @Override
    public void onUpstreamWritable() {
        if ((!requestComplete || tunnel) && !discardingBody && upstreamConnection != null) {
            wantBody();
        }
    }

    /** Arms this try's wait for the response head: the per-try timeout, within the overall one. */
    private void startTryTimer() {
        long now = System.nanoTime();
        if (deadlineNanos == 0) {
            deadlineNanos = now + proxy.timeout().toNanos();
        }
        long wait = Math.min(proxy.perTryTimeout().toNanos(), deadlineNanos - now);
        downstream.responseDeadline().arm(Math.max(wait, 0));
    }

    void onTryTimeout() {
        if (responseStarted || finished || upstreamConnection == null) {
            return;
        }
        endTry(Outcome.TIMEOUT);
        if (proxy.retry().onTimeout() && retry(false)) {
            return;
        }
        boolean overall = System.nanoTime() >= deadlineNanos;
        failUpstream(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream " + upstream.name() + " (" + upstreamTarget.key()
                + ") did not respond within " + (overall ? proxy.timeout() : proxy.perTryTimeout()).toMillis() + "ms"
                + (tried.size() > 1 ? " (" + tried.size() + " tries)" : ""), false);
    }

    // ---- response: upstream -> downstream --------------------------------------------------------

    @Override
    public void onUpstreamMessage(Object message) {
        if (tunnel) {
            relayFromUpstream(message);
        } else if (message instanceof HttpResponse response) {
            onResponseHead(response);
        } else if (message instanceof HttpContent content) {
            onResponseContent(content);
        } else {
            ReferenceCountUtil.release(message);
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (!response.decoderResult().isSuccess()) {
            Throwable cause = response.decoderResult().cause();
            ReferenceCountUtil.release(response);
            failUpstream(HttpResponseStatus.BAD_GATEWAY, "invalid response from upstream: " + describe(cause), false);
            return;
        }
        int code = response.status().code();
        if (code < 200) {
            if (code == 101) {
                if (upgradeRequested) {
                    startTunnel(response);
                } else {
                    ReferenceCountUtil.release(response);
                    failUpstream(HttpResponseStatus.BAD_GATEWAY, "upstream switched protocols without being asked", false);
                }
                return;
            }
            interimResponse = true;
            interimSent = true;
            HopByHop.strip(response.headers());
            response.setProtocolVersion(HttpVersion.HTTP_1_1);
            downstream.write(response);
            upstreamConnection.requestRead();
            return;
        }
        cancelResponseTimer();
        endTry(code >= 500 ? Outcome.SERVER_ERROR : Outcome.SUCCESS);
        if (proxy.retry().onStatus().contains(code) && retry(false)) {
            ReferenceCountUtil.release(response);
            return;
        }
        responseStarted = true;
        status = code;
        HttpHeaders headers = response.headers();
        boolean hasLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean upstreamChunked = HttpUtil.isTransferEncodingChunked(response);
        boolean bodyless = headRequest || code == 204 || code == 304;
        upstreamReusable = HttpUtil.isKeepAlive(response) && (hasLength || upstreamChunked || bodyless);
        HopByHop.strip(headers);
        ForwardedHeaders.addVia(headers);
        edit(headers, proxy.responseHeaders());
        beforeResponseHead(headers);
        keepAlive = clientKeepAlive && requestComplete && !runtime.draining();
        if (!bodyless && !hasLength) {
            if (clientHttp11) {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                keepAlive = false;
            }
        } else if (headRequest && upstreamChunked && !hasLength) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        setConnectionHeader(headers);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        downstream.write(response);
        readResponseBody();
    }

    private void onResponseContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (interimResponse) {
            content.release();
            if (last) {
                interimResponse = false;
                downstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            upstreamConnection.requestRead();
            return;
        }
        if (!content.decoderResult().isSuccess()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            failUpstream(HttpResponseStatus.BAD_GATEWAY, "invalid response body from upstream: " + describe(cause), false);
            return;
        }
        bytesOut += content.content().readableBytes();
        if (last) {
            downstream.writeAndFlush(content);
            responseComplete = true;
            completeProxied();
        } else {
            downstream.write(content);
            readResponseBody();
        }
    }

    private void readResponseBody() {
        if (downstream.isWritable()) {
            upstreamConnection.requestRead();
        } else {
            downstream.flush();
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        downstream.flush();
        if (upstreamConnection != null && !responseComplete
                && (!responseStarted || interimResponse || downstream.isWritable())) {
            upstreamConnection.requestRead();
        }
    }

    void onDownstreamWritable() {
        if (responseStarted && !responseComplete && upstreamConnection != null) {
            upstreamConnection.requestRead();
        }
    }

    private void completeProxied() {
        UpstreamConnection used = upstreamConnection;
        upstreamConnection = null;
        if (requestComplete && upstreamReusable) {
            used.release();
        } else {
            used.close();
        }
        finish();
    }

    // ---- upgraded connections (WebSocket and any other Upgrade) --------------------------------

    /**
     * The upstream agreed to switch protocols: the 101 goes to the client, both HTTP codecs leave
     * their pipelines, and from then on bytes are relayed as they are, with the same pull-based
     * backpressure as bodies, until either side closes or the upgrade idle timeout passes.
     */
    private void startTunnel(HttpResponse response) {
        cancelResponseTimer();
        endTry(Outcome.SUCCESS);
        responseStarted = true;
        tunnel = true;
        status = 101;
        HttpHeaders headers = response.headers();
        String protocol = headers.get(HttpHeaderNames.UPGRADE);
        HopByHop.strip(headers);
        if (protocol != null) {
            headers.set(HttpHeaderNames.UPGRADE, protocol);
        }
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        ForwardedHeaders.addVia(headers);
        beforeResponseHead(headers);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        downstream.write(response);
        downstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        downstream.becomeTunnel(proxy.upgradeIdleTimeout());
        io.netty.channel.ChannelPipeline upstreamPipeline = upstreamConnection.channel().pipeline();
        if (upstreamPipeline.get(io.netty.handler.codec.http.HttpClientCodec.class) != null) {
            upstreamPipeline.remove(io.netty.handler.codec.http.HttpClientCodec.class);
        }
        downstream.requestRead();
        upstreamConnection.requestRead();
    }

    void onTunnelData(io.netty.buffer.ByteBuf data) {
        if (!tunnel || upstreamConnection == null) {
            data.release();
            return;
        }
        bytesIn += data.readableBytes();
        Channel up = upstreamConnection.channel();
        up.write(data, up.voidPromise());
        if (up.isWritable()) {
            downstream.requestRead();
        } else {
            up.flush();
        }
    }

    private void relayFromUpstream(Object message) {
        if (!(message instanceof io.netty.buffer.ByteBuf data)) {
            // The end of the 101 response as the decoder saw it: nothing to relay.
            ReferenceCountUtil.release(message);
            upstreamConnection.requestRead();
            return;
        }
        bytesOut += data.readableBytes();
        downstream.write(data);
        readResponseBody();
    }

    // ---- failures -------------------------------------------------------------------------------

    @Override
    public void onUpstreamClosed() {
        boolean stale = staleConnection();
        endTry(stale ? Outcome.CANCELLED : Outcome.CONNECTION_FAILURE);
        if (stale && retry(true)) {
            return;
        }
        failUpstream(HttpResponseStatus.BAD_GATEWAY, "upstream " + upstream.name() + " (" + upstreamTarget.key()
                + ") closed the connection " + (responseStarted ? "mid-response" : "before responding"), false);
    }

    @Override
    public void onUpstreamError(Throwable cause) {
        boolean stale = staleConnection();
        endTry(stale ? Outcome.CANCELLED : Outcome.CONNECTION_FAILURE);
        if ((cause instanceof StreamRefusedException || stale) && retry(true)) {
            return;
        }
        failUpstream(HttpResponseStatus.BAD_GATEWAY, "upstream " + upstream.name() + " (" + upstreamTarget.key()
                + ") failed: " + describe(cause), false);
    }

    /**
     * A pooled connection the upstream closed just as we reused it, with nothing of the response
     * back: the upstream's keep-alive race, not a failure of the request, so an idempotent request
     * is sent again on a fresh downstream.
     */
    private boolean staleConnection() {
        return upstreamConnection != null && upstreamConnection.reused() && !responseStarted && isIdempotent();
    }

    private boolean isIdempotent() {
        HttpMethod m = request.method();
        return HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m) || HttpMethod.OPTIONS.equals(m)
                || HttpMethod.PUT.equals(m) || HttpMethod.DELETE.equals(m) || HttpMethod.TRACE.equals(m);
    }

    private void failUpstream(HttpResponseStatus errorStatus, String reason, boolean closeDownstream) {
        if (finished) {
            return;
        }
        endTry(Outcome.CONNECTION_FAILURE);
        cancelResponseTimer();
        UpstreamConnection broken = upstreamConnection;
        upstreamConnection = null;
        if (broken != null) {
            broken.close();
        }
        if (tunnel) {
            keepAlive = false;
            finish();
        } else if (responseStarted) {
            error = reason;
            keepAlive = false;
            finish();
            downstream.close();
        } else {
            respondError(errorStatus, reason, closeDownstream);
        }
    }

    void onDownstreamClosed() {
        if (finished) {
            return;
        }
        endTry(Outcome.CANCELLED);
        if (error == null && !tunnel) {
            error = "client closed the connection";
        }
        cancelResponseTimer();
        UpstreamConnection abandoned = upstreamConnection;
        upstreamConnection = null;
        if (abandoned != null) {
            abandoned.close();
        }
        keepAlive = false;
        finish();
    }

    boolean awaitingUpstream() {
        return upstreamConnection != null && !responseStarted;
    }

    // ---- local answers ---------------------------------------------------------------------------

    private void respondError(HttpResponseStatus errorStatus, String reason, boolean closeConnection) {
        error = reason;
        respondLocally(PlainResponse.error(downstream.alloc(), errorStatus, reason), closeConnection);
    }

    /**
     * Sends a complete response of Hecate's own. If the client is still sending a body, a small one
     * is read and dropped so the connection can serve the next request; a large one costs the
     * connection instead.
     */
    private void respondLocally(FullHttpResponse response, boolean closeConnection) {
        cancelResponseTimer();
        responseStarted = true;
        responseComplete = true;
        status = response.status().code();
        bytesOut = response.content().readableBytes();
        // A client waiting for 100 Continue may never send its body, so its framing cannot be trusted.
        boolean canDrain = requestComplete
                || (!requestChunked && !expectsContinue && requestLength <= MAX_DISCARDED_BODY);
        keepAlive = clientKeepAlive && !closeConnection && canDrain && !runtime.draining();
        beforeResponseHead(response.headers());
        setConnectionHeader(response.headers());
        downstream.writeAndFlush(response);
        if (requestComplete || !keepAlive) {
            finish();
        } else {
            discardingBody = true;
            downstream.requestRead();
        }
    }

    private void setConnectionHeader(HttpHeaders headers) {
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!clientHttp11) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    private void cancelResponseTimer() {
        downstream.responseDeadline().disarm();
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        cancelResponseTimer();
        if (replay != null) {
            replay.release();
        }
        if (bodyDeadline != null) {
            bodyDeadline.cancel();
        }
        long micros = (System.nanoTime() - startNanos) / 1000;
        int logged = responseStarted ? status : 0;
        if (admission != null) {
            admission.close();
        }
        (route == null ? runtime.metrics().route(UNMATCHED) : route.metrics()).record(logged, micros, bytesIn, bytesOut);
        if (runtime.logging()) {
            runtime.log(new AccessLogEntry(startMillis, route == null ? null : route.id(),
                    upstreamTarget == null ? null : upstreamTarget.key(), method, originalUri, logged, bytesIn,
                    bytesOut, micros, clientAddress != null ? clientAddress : downstream.peerIp(), error));
        }
        downstream.exchangeFinished(this, keepAlive && requestComplete && responseComplete);
    }

    /** Reports how the current try ended, once per try. */
    private void endTry(Outcome outcome) {
        if (tryInFlight) {
            tryInFlight = false;
            upstream.finished(upstreamTarget, outcome);
            if (admission != null) {
                admission.tryEnded(outcome);
            }
        }
    }

    // ---- edge protection hooks (circuit breaker, bulkhead, rate limit fields, security headers) ----

    /**
     * Asks the upstream's admission (circuit breaker, bulkhead) for this request, once, before its
     * first try; a refusal is answered 503 at once with the reason. The ticket is closed in
     * {@link #finish()} and hears how each try ended in {@link #endTry}.
     */
    private boolean admit() {
        AdmissionTicket ticket = upstream.admission().admit();
        if (ticket.admitted()) {
            admission = ticket;
            return true;
        }
        FullHttpResponse refused = PlainResponse.error(downstream.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                ticket.refusal());
        refused.headers().set(HttpHeaderNames.RETRY_AFTER, ticket.retryAfterSeconds());
        error = ticket.refusal();
        respondLocally(refused, false);
        return false;
    }

    @Override
    public void editResponseHeaders(Consumer<HttpHeaders> edit) {
        if (responseEdits == null) {
            responseEdits = new ArrayList<>(2);
        }
        responseEdits.add(edit);
    }

    /** The last edits of every response head this exchange writes, proxied or local. */
    private void beforeResponseHead(HttpHeaders headers) {
        if (responseEdits != null) {
            for (Consumer<HttpHeaders> edit : responseEdits) {
                edit.accept(headers);
            }
        }
        SecurityHeaders security = route == null ? null : route.securityHeaders();
        if (security != null) {
            security.apply(headers, secure());
        }
    }

    /** Whether the client reached us over HTTPS, directly or as a trusted proxy in front says. */
    private boolean secure() {
        return "https".equals(scheme) || (snapshot.trustedProxies().trusts(remote)
                && "https".equalsIgnoreCase(request.headers().get(X_FORWARDED_PROTO)));
    }

    // ---- what load balancing may hash on --------------------------------------------------------

    @Override
    public String header(CharSequence name) {
        return request.headers().get(name);
    }

    @Override
    public String cookie(String name) {
        for (String line : request.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (io.netty.handler.codec.http.cookie.Cookie cookie
                    : io.netty.handler.codec.http.cookie.ServerCookieDecoder.LAX.decodeAll(line)) {
                if (cookie.name().equals(name)) {
                    return cookie.value();
                }
            }
        }
        return null;
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static HttpResponseStatus statusFor(Throwable decodeFailure) {
        if (decodeFailure instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (decodeFailure instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (decodeFailure instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isEmpty() ? cause.getClass().getSimpleName() : message;
    }
}
