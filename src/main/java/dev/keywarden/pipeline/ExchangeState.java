package dev.keywarden.pipeline;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The context of one call as it moves through the {@link Pipeline}: what the entry point said about
 * it, what the stages decided, what the upstream relay saw. It becomes one immutable
 * {@link ExchangeRecord} when the call ends ({@link Pipeline#complete}), exactly once.
 *
 * <h2>Which thread owns which field</h2>
 * <ul>
 *   <li><b>Fixed when the entry point opens the call</b> (final): request id, start time, route, method,
 *       path, query, request headers, client address, whether the request has a body, the sink.</li>
 *   <li><b>The request's thread</b> (a virtual thread), while the stages run and before the call is
 *       forwarded: credential, identity, request summary, body, admission tickets, the chosen upstream
 *       key. Nothing else writes them; the relay reads them afterwards, and handing the request to the
 *       upstream client (its send) publishes them to the client's threads.</li>
 *   <li><b>The upstream relay's callbacks</b>, after forwarding (the HTTP client calls them one at a time,
 *       in order: begin, headers, content…, complete): upstream status, usage, upstream timings, the
 *       provider key in use, the status and error type sent. Before forwarding the request's thread writes the same status and
 *       error type when it refuses or answers the call itself — a call is either forwarded or not, so
 *       the two never overlap.</li>
 *   <li><b>Any thread</b>: {@link #clientAborted()} (volatile: the server reports a failed client
 *       connection on its own thread), the guard report (synchronized: the input guard writes on the
 *       request's thread, the output filter on the relay's callbacks), and the end of the call (an
 *       atomic flag: the first {@link Pipeline#complete} wins).</li>
 * </ul>
 */
public final class ExchangeState {

    private static final byte[] NO_BODY = new byte[0];

    private final Pipeline pipeline;
    private final ResponseSink sink;
    private final String requestId;
    private final long startNanos;
    private final Route route;
    private final String method;
    private final String path;
    private final String query;
    private final HttpFields requestHeaders;
    private final String clientAddress;
    private final boolean requestHasBody;

    // the request's thread, before forwarding
    private String credential;
    private ClientIdentity identity;
    private RequestSummary summary = RequestSummary.EMPTY;
    private byte[] body = NO_BODY;
    private boolean bodyRead;
    private ArrayList<Admission.Ticket> tickets;
    private UpstreamKey upstreamKey;
    private java.util.Map<Class<?>, Object> attachments;

    // the relay's callbacks after forwarding (or the request's thread when it ends the call itself)
    private int status;
    private String errorType;
    private int upstreamStatus;
    private Usage usage = Usage.EMPTY;
    private long upstreamStartNanos;
    private long upstreamEndNanos;
    private String providerKey;
    private boolean byok;
    private String authFailure;

    // any thread
    private volatile boolean clientAborted;
    private final GuardReport guard = new GuardReport();
    private final AtomicBoolean ended = new AtomicBoolean();

    ExchangeState(Pipeline pipeline, ResponseSink sink, String requestId, Route route, String method, String path,
                  String query, HttpFields requestHeaders, String clientAddress, boolean requestHasBody) {
        this.pipeline = pipeline;
        this.sink = sink;
        this.requestId = requestId;
        this.startNanos = System.nanoTime();
        this.route = route;
        this.method = method;
        this.path = path;
        this.query = query;
        this.requestHeaders = requestHeaders;
        this.clientAddress = clientAddress;
        this.requestHasBody = requestHasBody;
    }

    public String requestId() {
        return requestId;
    }

    /** The route, or null when the path matched none (the call is then refused at once). */
    public Route route() {
        return route;
    }

    public String method() {
        return method;
    }

    /** The request path as received, e.g. {@code /v1/messages}. */
    public String path() {
        return path;
    }

    /** The raw query string, or null. */
    public String query() {
        return query;
    }

    /** The client's request header fields (never modified by the pipeline). */
    public HttpFields requestHeaders() {
        return requestHeaders;
    }

    /** The client's address as the entry point resolved it. */
    public String clientAddress() {
        return clientAddress;
    }

    /** Where the response goes. */
    public ResponseSink sink() {
        return sink;
    }

    /** The pipeline running this call. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** The credential the client presented (null when none, or when the entry point authenticated the caller itself). */
    public String credential() {
        return credential;
    }

    /** Sets the presented credential; by the entry point, before the stages run. */
    public void credential(String presented) {
        this.credential = presented;
    }

    /** Who calls, or null before authentication (or when it failed). */
    public ClientIdentity identity() {
        return identity;
    }

    /** The caller is {@code who}: set by the authentication stage, or by an entry point that authenticated the caller itself. */
    /** The presented credential was refused, for a reason of {@code kind} (kept in the call's record). */
    public void authRefused(AuthOutcome.Kind kind) {
        this.authFailure = kind.wireName();
    }

    public void authenticated(ClientIdentity who) {
        this.identity = who;
    }

    public RequestSummary summary() {
        return summary;
    }

    /** What the JSON check read from the body. */
    public void summary(RequestSummary summary) {
        this.summary = summary;
    }

    /** The body to forward: as received, unless a guard redacted it. Empty before the body is read. */
    public byte[] body() {
        return body;
    }

    /** Replaces the body to forward (a guard's redaction). */
    public void body(byte[] forward) {
        this.body = forward;
    }

    /** The guardrails' decisions about this call so far (the {@code keywarden-guard} header, the audit record). */
    public GuardReport guard() {
        return guard;
    }

    /** The upstream credential chosen for this call, or null. */
    public UpstreamKey upstreamKey() {
        return upstreamKey;
    }

    /** Records the upstream credential chosen for this call (by the key-choice stage, before the credential's use is spent). */
    public void upstreamKey(UpstreamKey key) {
        this.upstreamKey = key;
    }

    /** The call goes upstream with {@code key} (a retry on a backup key calls this again): its fingerprint goes into the record. */
    public void forwardingWith(UpstreamKey key) {
        this.providerKey = key.fingerprint();
        this.byok = key.userSupplied();
    }

    /**
     * Hands a stage material that only the entry point has (e.g. a browser session's key for the BYOK key
     * held for that session), before the stages run; one value per type. Never part of the record.
     */
    public <T> void attach(Class<T> type, T value) {
        if (attachments == null) {
            attachments = new java.util.HashMap<>(2);
        }
        attachments.put(type, type.cast(value));
    }

    /** What the entry point {@linkplain #attach attached} of {@code type}, or null. */
    public <T> T attachment(Class<T> type) {
        return attachments == null ? null : type.cast(attachments.get(type));
    }

    /** Remembers an admission ticket, to add its headers to the response and settle it when the call ends. */
    public void admitted(Admission.Ticket ticket) {
        if (ticket == Admission.Ticket.NONE) {
            return;
        }
        if (tickets == null) {
            tickets = new ArrayList<>(2);
        }
        tickets.add(ticket);
    }

    /**
     * Puts the admission tickets' header fields (RateLimit, RateLimit-Policy) and the guardrails'
     * decisions so far ({@code keywarden-guard}) on {@code headers}.
     */
    public void addResponseHeaders(HttpFields.Mutable headers) {
        if (tickets != null) {
            for (Admission.Ticket t : tickets) {
                t.responseHeaders().forEach(headers::put);
            }
        }
        String decisions = guard.headerValue();
        if (decisions != null) {
            headers.put(GuardReport.HEADER, decisions);
        }
    }

    /** The relay sent the call upstream (the first attempt's time is kept across a retry). */
    public void upstreamStarted() {
        if (upstreamStartNanos == 0) {
            upstreamStartNanos = System.nanoTime();
        }
    }

    /** Upstream answered with {@code status}, which the client gets too. */
    public void upstreamAnswered(int status) {
        this.upstreamStatus = status;
        this.status = status;
    }

    /** The upstream exchange is over; {@code usage} is what the response reported, {@code errorType} an error it carried (or null). */
    public void upstreamEnded(Usage usage, String errorType) {
        this.upstreamEndNanos = System.nanoTime();
        if (usage != null) {
            this.usage = usage;
        }
        if (errorType != null) {
            this.errorType = errorType;
        }
    }

    /** The Anthropic error type the client got (a relayed error body, a mid-stream error event). */
    public void errorType(String type) {
        this.errorType = type;
    }

    /** Whether the client went away before the response was complete. */
    public boolean clientAborted() {
        return clientAborted;
    }

    /** The client went away (its connection failed, or a write to it did). */
    public void clientGone() {
        this.clientAborted = true;
    }

    /** Whether the body has been read to its end (or there was none). */
    public boolean bodyRead() {
        return bodyRead;
    }

    /** Whether the request announced a body (a length other than 0, or chunked). */
    public boolean requestHasBody() {
        return requestHasBody;
    }

    /** Refuses the call with {@code refusal} (see {@link Pipeline#refuse}). */
    public void refuse(Refusal refusal) {
        pipeline.refuse(this, refusal);
    }

    /** Ends the call: record, observers, then {@code last} (see {@link Pipeline#complete}). */
    public void complete(Pipeline.LastWrite last) {
        pipeline.complete(this, last);
    }

    void bodyArrived(byte[] received) {
        this.body = received;
        this.bodyRead = true;
    }

    /** Records a gateway-made answer's status and error type (null for a success). */
    void answered(int status, ErrorType type) {
        this.status = status;
        this.errorType = type == null ? null : type.wireName();
    }

    /** True for the first caller only: the call ends once. */
    boolean end() {
        return ended.compareAndSet(false, true);
    }

    boolean ended() {
        return ended.get();
    }

    /** Builds the record of the call as it stands, priced by {@code pricing}. */
    ExchangeRecord record(Pricing pricing) {
        long now = System.nanoTime();
        long upstreamNanos = upstreamStartNanos == 0 ? 0 : (upstreamEndNanos == 0 ? now : upstreamEndNanos) - upstreamStartNanos;
        return new ExchangeRecord(requestId, route, method, path, identity, summary, status, errorType, upstreamStatus, usage,
                Cost.of(usage, summary.model(), upstreamStatus, pricing),
                providerKey, now - startNanos, upstreamNanos, clientAddress,
                requestHeaders.get(HttpHeader.USER_AGENT), requestHeaders.get(HttpHeader.ORIGIN), clientAborted, guard.snapshot(),
                byok || (upstreamKey != null && upstreamKey.userSupplied()), authFailure);
    }

    /** Settles every admission ticket against {@code record}; a ticket that throws is logged and skipped. */
    void settleTickets(ExchangeRecord record) {
        if (tickets == null) {
            return;
        }
        for (Admission.Ticket t : tickets) {
            try {
                t.finish(record);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(ExchangeState.class).warn("admission ticket {} failed to finish: {}",
                        t.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
