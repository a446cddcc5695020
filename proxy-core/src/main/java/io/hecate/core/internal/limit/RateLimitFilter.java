package io.hecate.core.internal.limit;

import io.github.bucket4j.ConsumptionProbe;
import io.hecate.core.filter.FilterChain;
import io.hecate.core.filter.FilterExchange;
import io.hecate.core.filter.RouteFilter;
import io.hecate.core.internal.http.ResponseHeaderEdits;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The {@code rate_limit} filter of one route: each request takes a token from the bucket of its
 * key in every limit, in order; the first limit whose bucket is empty refuses it with
 * {@code 429 Too Many Requests}, {@code Retry-After} and the draft's {@code RateLimit-Policy} /
 * {@code RateLimit} fields (limits after it are not charged). Local limits decide synchronously on
 * the event loop; cluster limits ask Redis asynchronously and continue on the same event loop.
 */
final class RateLimitFilter implements RouteFilter {

    /** One limit as the filter runs it: local buckets, or Redis buckets with a local fallback. */
    record Limit(LimitSpec spec, LocalBuckets local, ClusterBuckets cluster, LimitMetrics.Counters counters,
                 String policy) {
    }

    private final String routeId;
    private final Limit[] limits;
    private final boolean headersAlways;

    RateLimitFilter(String routeId, Limit[] limits, boolean headersAlways) {
        this.routeId = routeId;
        this.limits = limits;
        this.headersAlways = headersAlways;
    }

    Limit[] limits() {
        return limits;
    }

    @Override
    public void onRequest(FilterExchange exchange, FilterChain chain) {
        new Evaluation(exchange, chain).next(0);
    }

    /** The decisions for one request, limit by limit; runs on the exchange's event loop. */
    private final class Evaluation {
        private final FilterExchange exchange;
        private final FilterChain chain;
        private final ConsumptionProbe[] probes = new ConsumptionProbe[limits.length];

        Evaluation(FilterExchange exchange, FilterChain chain) {
            this.exchange = exchange;
            this.chain = chain;
        }

        void next(int index) {
            for (int i = index; i < limits.length; i++) {
                Limit limit = limits[i];
                String key = limit.spec().key().of(exchange);
                if (key == null) {
                    continue;
                }
                if (limit.cluster() != null) {
                    int at = i;
                    limit.cluster().tryConsume(key, exchange.eventLoop(), probe -> decided(at, probe));
                    return;
                }
                if (!record(i, limit.local().tryConsume(key))) {
                    refuse(i);
                    return;
                }
            }
            allow();
        }

        private void decided(int index, ConsumptionProbe probe) {
            if (record(index, probe)) {
                next(index + 1);
            } else {
                refuse(index);
            }
        }

        private boolean record(int index, ConsumptionProbe probe) {
            probes[index] = probe;
            if (probe.isConsumed()) {
                limits[index].counters().allowed.increment();
                return true;
            }
            limits[index].counters().refused.increment();
            return false;
        }

        private void allow() {
            if (headersAlways && exchange instanceof ResponseHeaderEdits edits) {
                edits.editResponseHeaders(this::addFields);
            }
            chain.proceed();
        }

        private void refuse(int index) {
            Limit limit = limits[index];
            long retryAfter = RateLimitHeaders.retryAfter(probes[index]);
            HttpHeaders headers = new DefaultHttpHeaders();
            headers.set(HttpHeaderNames.RETRY_AFTER, retryAfter);
            addFields(headers);
            LimitSpec spec = limit.spec();
            chain.respond(HttpResponseStatus.TOO_MANY_REQUESTS, headers, "429 Too Many Requests: rate limit \""
                    + spec.name() + "\" of route " + routeId + " exceeded (" + spec.requests() + " per "
                    + spec.windowSeconds() + "s, burst " + spec.burst() + ", by " + spec.key().describe()
                    + "); retry in " + retryAfter + "s\n");
        }

        /**
         * The policies and the state of every limit this request was counted against, added as
         * further list members: an upstream's own fields stay (a list may span field lines).
         */
        private void addFields(HttpHeaders headers) {
            StringBuilder policies = new StringBuilder();
            StringBuilder states = new StringBuilder();
            for (int i = 0; i < limits.length; i++) {
                if (probes[i] == null) {
                    continue;
                }
                if (policies.length() > 0) {
                    policies.append(", ");
                    states.append(", ");
                }
                policies.append(limits[i].policy());
                states.append(RateLimitHeaders.status(limits[i].spec(), probes[i]));
            }
            if (policies.length() > 0) {
                headers.add(RateLimitHeaders.POLICY, policies.toString());
                headers.add(RateLimitHeaders.STATUS, states.toString());
            }
        }
    }
}
