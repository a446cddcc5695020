package io.hecate.tls.internal;

import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a fresh OCSP answer for every served certificate whose leaf names a responder, to be
 * stapled to handshakes. All its work happens on the TLS worker thread ({@code hecate-tls}); the
 * HTTP exchange itself is asynchronous, so a slow responder does not hold up file reloads. What the
 * event loop reads ({@link #status}) is an immutable map swapped in whole.
 *
 * <p>An answer is refreshed halfway to its expiry (nextUpdate, or a day after thisUpdate when it
 * has none); failures are retried after 1 minute, doubling up to an hour, while a good answer
 * fetched before keeps being stapled until it expires. Revoked, stale or unverifiable answers are
 * never stapled.
 */
public final class OcspStapler {

    private static final Logger LOG = LoggerFactory.getLogger(OcspStapler.class);
    private static final Duration MIN_REFRESH = Duration.ofMinutes(1);
    private static final Duration FIRST_RETRY = Duration.ofMinutes(1);
    private static final Duration MAX_RETRY = Duration.ofHours(1);

    private final ScheduledExecutorService worker;
    private final OcspClient client;
    private final Clock clock;
    /** By the context each certificate is served with; touched on the worker only. */
    private Map<SslContext, Entry> entries = new HashMap<>();
    private volatile Map<SslContext, OcspStatus> view = Map.of();

    /** One served certificate: what it is, what is known, and what is planned. Worker thread only. */
    private static final class Entry {
        final List<String> names;
        final OcspTarget target;
        OcspStatus status;
        int failures;
        ScheduledFuture<?> planned;
        CompletableFuture<Void> inFlight;
        boolean retired;

        Entry(List<String> names, OcspTarget target, OcspStatus status) {
            this.names = names;
            this.target = target;
            this.status = status;
        }
    }

    public OcspStapler(ScheduledExecutorService worker, OcspClient client, Clock clock) {
        this.worker = worker;
        this.client = client;
        this.clock = clock;
    }

    /**
     * The certificates now served: new ones are asked about at once (so a replaced certificate gets
     * its own answer), ones no longer served are forgotten.
     */
    public void track(List<LoadedCertificate> served) {
        List<LoadedCertificate> copy = List.copyOf(served);
        try {
            worker.execute(() -> retarget(copy));
        } catch (RejectedExecutionException e) {
            // closed: nothing is served any more
        }
    }

    /** What is known about the certificate served with {@code context}; {@link OcspStatus#NONE} when nothing. */
    public OcspStatus status(SslContext context) {
        return view.getOrDefault(context, OcspStatus.NONE);
    }

    /** The answer to staple to a handshake with {@code context}, or {@code null}. Event loop: reads memory only. */
    public byte[] stapleFor(SslContext context) {
        OcspStatus status = view.get(context);
        return status == null ? null : status.stapleAt(clock.instant());
    }

    /** Asks every responder again now; completes when all answers (or failures) are in. Call on the worker. */
    public CompletableFuture<Void> refreshAll() {
        List<CompletableFuture<Void>> fetches = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (entry.target != null) {
                fetches.add(fetch(entry));
            }
        }
        return CompletableFuture.allOf(fetches.toArray(new CompletableFuture<?>[0]));
    }

    private void retarget(List<LoadedCertificate> served) {
        Map<SslContext, Entry> next = new HashMap<>();
        for (LoadedCertificate certificate : served) {
            Entry entry = entries.remove(certificate.context());
            if (entry == null) {
                entry = entryFor(certificate);
                if (entry.target != null) {
                    fetch(entry);
                }
            }
            next.put(certificate.context(), entry);
        }
        for (Entry gone : entries.values()) {
            gone.retired = true;
            if (gone.planned != null) {
                gone.planned.cancel(false);
            }
        }
        entries = next;
        publish();
    }

    private static Entry entryFor(LoadedCertificate certificate) {
        if (certificate.chain().isEmpty()) {
            return new Entry(certificate.names(), null, OcspStatus.NONE);
        }
        URI url = null;
        try {
            url = OcspTarget.responderUrl(certificate.chain().get(0));
            if (url == null) {
                return new Entry(certificate.names(), null, OcspStatus.NONE);
            }
            OcspTarget target = new OcspTarget(certificate.chain().get(0), OcspTarget.issuerIn(certificate.chain()), url);
            return new Entry(certificate.names(), target, new OcspStatus(url, null, null));
        } catch (IOException | GeneralSecurityException e) {
            LOG.warn("TLS: no OCSP stapling for {}: {}", certificate.names(), e.getMessage());
            return new Entry(certificate.names(), null, new OcspStatus(url, null, e.getMessage()));
        }
    }

    private CompletableFuture<Void> fetch(Entry entry) {
        if (entry.planned != null) {
            entry.planned.cancel(false);
            entry.planned = null;
        }
        if (entry.inFlight == null) {
            entry.inFlight = client.fetch(entry.target)
                    .handleAsync((der, failure) -> {
                        entry.inFlight = null;
                        if (!entry.retired) {
                            settle(entry, der, failure);
                            publish();
                        }
                        return null;
                    }, worker);
        }
        return entry.inFlight;
    }

    private void settle(Entry entry, byte[] der, Throwable failure) {
        Instant now = clock.instant();
        if (failure != null) {
            failed(entry, describe(failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure), now);
            return;
        }
        OcspAnswer answer;
        try {
            answer = OcspResponseCheck.check(der, entry.target, now);
        } catch (GeneralSecurityException | RuntimeException e) {
            failed(entry, describe(e), now);
            return;
        }
        OcspStatus before = entry.status;
        entry.status = new OcspStatus(entry.target.url(), answer, null);
        entry.failures = 0;
        if (!answer.good()) {
            LOG.error("TLS: OCSP says the certificate for {} (serial {}, from {}) is REVOKED since {}: it is served"
                    + " without a staple; replace it", entry.names, entry.target.leaf().getSerialNumber().toString(16),
                    entry.target.url(), answer.revokedAt());
        } else if (before.answer() == null || !before.answer().good() || before.lastError() != null) {
            LOG.info("TLS: stapling OCSP answer for {}: good, fresh until {}", entry.names, answer.expires());
        }
        plan(entry, Duration.between(now, answer.expires()).dividedBy(2));
    }

    private void failed(Entry entry, String error, Instant now) {
        OcspStatus before = entry.status;
        entry.status = new OcspStatus(entry.target.url(), before.answer(), error);
        entry.failures++;
        Duration retry = FIRST_RETRY.multipliedBy(1L << Math.min(entry.failures - 1, 6));
        retry = retry.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retry;
        if (!error.equals(before.lastError())) {
            LOG.warn("TLS: OCSP for {} from {} failed ({}); {}; retrying in {}", entry.names, entry.target.url(), error,
                    before.stapleAt(now) != null ? "stapling the previous answer until " + before.answer().expires()
                            : "no staple", retry);
        }
        plan(entry, retry);
    }

    private void plan(Entry entry, Duration delay) {
        Duration wait = delay.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH : delay;
        entry.planned = worker.schedule(() -> {
            if (!entry.retired) {
                fetch(entry);
            }
        }, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publish() {
        Map<SslContext, OcspStatus> next = new HashMap<>();
        entries.forEach((context, entry) -> next.put(context, entry.status));
        view = Map.copyOf(next);
    }

    private static String describe(Throwable e) {
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "timed out: " + e.getMessage();
        }
        if (e instanceof java.net.ConnectException && e.getMessage() == null) {
            return "cannot connect (refused or unreachable)";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
