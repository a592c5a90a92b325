package dev.keywarden.gateway;

import dev.keywarden.pipeline.Route;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.Admission;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.Usage;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The mutable facts of one request as it moves through the pipeline; turned into an immutable
 * {@link ExchangeRecord} exactly once when the request finishes.
 */
final class ExchangeState {

    final String requestId;
    final long startNanos;
    final Request request;
    Route route;
    ClientIdentity identity;
    RequestSummary summary = RequestSummary.EMPTY;
    int status;
    String errorType;
    int upstreamStatus;
    Usage usage = Usage.EMPTY;
    String providerKey;
    long upstreamStartNanos;
    long upstreamEndNanos;
    volatile boolean clientAborted;
    /** The request body has been read to its end (or there was none). */
    boolean bodyRead;
    /** The upstream request currently in flight (a retry replaces it), so a client failure can abort it. */
    volatile org.eclipse.jetty.client.Request upstreamRequest;
    /** The guardrails' decisions about this call (header and audit). */
    final dev.keywarden.pipeline.GuardReport guard = new dev.keywarden.pipeline.GuardReport();
    /** Guards the model output of this call, or null when its output is relayed byte for byte. */
    dev.keywarden.guard.OutputGuard outputGuard;
    private final AtomicBoolean reported = new AtomicBoolean();
    /** Tickets of the admissions this call passed; finished in {@link #report}. */
    private volatile List<Admission.Ticket> tickets = List.of();

    ExchangeState(String requestId, Request request) {
        this.requestId = requestId;
        this.request = request;
        this.startNanos = System.nanoTime();
    }

    /** Remembers an admission ticket, to add its headers to the response and finish it at the end. */
    void admitted(Admission.Ticket ticket) {
        if (ticket == Admission.Ticket.NONE) {
            return;
        }
        java.util.ArrayList<Admission.Ticket> all = new java.util.ArrayList<>(tickets);
        all.add(ticket);
        tickets = List.copyOf(all);
    }

    /**
     * Puts the admission tickets' header fields (RateLimit, RateLimit-Policy) and the guardrails'
     * decisions so far ({@code keywarden-guard}) on {@code headers}.
     */
    void addResponseHeaders(org.eclipse.jetty.http.HttpFields.Mutable headers) {
        for (Admission.Ticket t : tickets) {
            t.responseHeaders().forEach(headers::put);
        }
        String decisions = guard.headerValue();
        if (decisions != null) {
            headers.put(dev.keywarden.pipeline.GuardReport.HEADER, decisions);
        }
    }

    /** Records a gateway-made error (status and type) for the exchange record. */
    void failed(int status, ErrorType type) {
        this.status = status;
        this.errorType = type.wireName();
    }

    /**
     * Builds the record and hands it to every observer; only the first call has any effect.
     *
     * @return the failure of a {@link ExchangeObserver#required() required} observer, or null
     */
    RuntimeException report(List<ExchangeObserver> observers) {
        if (!reported.compareAndSet(false, true)) {
            return null;
        }
        RuntimeException requiredFailure = null;
        long now = System.nanoTime();
        long upstreamNanos = upstreamStartNanos == 0 ? 0 : (upstreamEndNanos == 0 ? now : upstreamEndNanos) - upstreamStartNanos;
        ExchangeRecord record = new ExchangeRecord(requestId, route, request.getMethod(), request.getHttpURI().getPath(),
                identity, summary, status, errorType, upstreamStatus, usage, providerKey, now - startNanos, upstreamNanos,
                Request.getRemoteAddr(request), request.getHeaders().get(HttpHeader.USER_AGENT),
                request.getHeaders().get(HttpHeader.ORIGIN), clientAborted, guard);
        for (Admission.Ticket t : tickets) {
            try {
                t.finish(record);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ExchangeState.class).warn("admission ticket {} failed to finish: {}",
                        t.getClass().getSimpleName(), e.toString());
            }
        }
        for (ExchangeObserver o : observers) {
            try {
                o.onExchange(record);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ExchangeState.class).warn("exchange observer {} failed: {}",
                        o.getClass().getSimpleName(), e.toString());
                if (o.required() && requiredFailure == null) {
                    requiredFailure = e;
                }
            }
        }
        return requiredFailure;
    }
}
