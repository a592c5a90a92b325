package dev.keywarden.pipeline;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs calls through their stages, in the order one composition listed them
 * ({@link PipelineComposition}), for every entry point: the proxy listener drives it in two halves
 * around reading the body ({@link #open}, {@link #beforeBody}, {@link #afterBody}); another entry
 * point hands over a whole {@link Call} ({@link #run}).
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>One refusal path.</b> A stage refuses by throwing {@link Refusal}; {@link #refuse} writes it
 *       in Anthropic's error shape with the refusal's own headers, the admissions' headers (RateLimit)
 *       and the guard header, whichever stage refused. A stage that fails otherwise is refused as 500
 *       {@code api_error}: the pipeline fails closed.</li>
 *   <li><b>One end.</b> Every call ends in {@link #complete}, exactly once: the admissions' tickets are
 *       settled, the {@link ExchangeRecord} is built (and priced) and handed to every observer, and only
 *       then are the response's last bytes written. So an observer has seen the call before its client
 *       can see the response end.</li>
 *   <li><b>The strict-audit veto.</b> When a {@linkplain ExchangeObserver#required() required} observer
 *       fails (strict audit could not commit the record), the response is not completed: nothing sent
 *       yet becomes a 503 {@code api_error}; a response already under way is aborted, so the client sees
 *       a cut connection, never a complete answer without its record. This holds for refusals, locally
 *       answered calls and relayed ones alike.</li>
 *   <li>No refused call reaches upstream: forwarding is the last stage.</li>
 * </ul>
 */
public final class Pipeline {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** The response header carrying the gateway's request id on every response it writes. */
    public static final String REQUEST_ID = "request-id";
    static final String UNRECORDED = "the gateway could not record this call in its audit trail (audit.mode: strict),"
            + " so it does not answer it; retry shortly";

    private final Stage[] beforeBody;
    private final long maxBodyBytes;
    private final Stage[] afterBody;
    private final Pricing pricing;
    private final ExchangeObserver[] observers;
    private final List<Readiness> readiness;
    private final boolean recordRequired;

    private Pipeline(Builder b) {
        this.beforeBody = b.beforeBody.toArray(Stage[]::new);
        this.maxBodyBytes = b.maxBodyBytes;
        this.afterBody = b.afterBody.toArray(Stage[]::new);
        this.pricing = b.pricing;
        this.observers = b.observers.toArray(ExchangeObserver[]::new);
        this.readiness = List.copyOf(b.readiness);
        this.recordRequired = b.observers.stream().anyMatch(ExchangeObserver::required);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * One call as an entry point other than the proxy listener hands it over, body already read.
     *
     * @param identity   who calls, when the entry point authenticated the caller itself (a browser
     *                   session); null to authenticate {@code credential} like the proxy does
     * @param headers    the request's header fields (forwarded upstream by the same rules as the proxy's)
     */
    public record Call(Route route, String method, String path, String query, HttpFields headers, String clientAddress,
                       ClientIdentity identity, String credential, byte[] body) {
        public Call {
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(headers, "headers");
            body = body == null ? new byte[0] : body;
        }
    }

    /**
     * Runs {@code call} through every stage and delivers its response to {@code sink}; returns once the
     * stages before forwarding have run (a forwarded call's response then arrives through the sink).
     */
    public ExchangeState run(Call call, ResponseSink sink) {
        return run(call, sink, x -> { });
    }

    /**
     * {@link #run(Call, ResponseSink)}, with {@code prepare} called on the call's state before any stage
     * runs: an entry point {@linkplain ExchangeState#attach attaches} what a stage needs from it there.
     */
    public ExchangeState run(Call call, ResponseSink sink, java.util.function.Consumer<ExchangeState> prepare) {
        ExchangeState x = open(sink, RequestIds.next(), call.route(), call.method(), call.path(), call.query(), call.headers(),
                call.clientAddress(), call.body().length > 0);
        if (call.identity() != null) {
            x.authenticated(call.identity());
        } else {
            x.credential(call.credential());
        }
        prepare.accept(x);
        if (beforeBody(x)) {
            afterBody(x, call.body());
        }
        return x;
    }

    /** Opens a call; {@code route} null means the path matched none (refuse it at once). */
    public ExchangeState open(ResponseSink sink, String requestId, Route route, String method, String path, String query,
                              HttpFields headers, String clientAddress, boolean requestHasBody) {
        return new ExchangeState(this, sink, requestId, route, method, path, query, headers, clientAddress, requestHasBody);
    }

    /** Runs the stages before the body (address lockout, authentication); false when the call was refused. */
    public boolean beforeBody(ExchangeState x) {
        return !run(x, beforeBody);
    }

    /** The largest body the entry point may read (it refuses a larger one with {@link #bodyTooLarge()}). */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The refusal for a body over {@link #maxBodyBytes()}. */
    public Refusal bodyTooLarge() {
        return new Refusal(413, ErrorType.REQUEST_TOO_LARGE, "request body is larger than the limit of " + maxBodyBytes + " bytes");
    }

    /** Runs the stages after the body, ending in a local answer, a forwarded call or a refusal. */
    public void afterBody(ExchangeState x, byte[] body) {
        x.bodyArrived(body);
        if (body.length > maxBodyBytes) {
            refuse(x, bodyTooLarge());
            return;
        }
        if (!run(x, afterBody)) {
            LOG.error("request {}: no stage answered the call, refusing", x.requestId());
            refuse(x, new Refusal(500, ErrorType.API, "the gateway failed to handle the request; retry shortly"));
        }
    }

    /**
     * Whether a required observer (strict audit) may veto responses: a relay then holds back the bytes
     * that would let the client see a response complete until {@link #complete} has run.
     */
    public boolean recordRequired() {
        return recordRequired;
    }

    /** Dependencies whose health decides {@code /readyz}. */
    public List<Readiness> readiness() {
        return readiness;
    }

    /** True when a stage took the call over or the call was refused. */
    private boolean run(ExchangeState x, Stage[] stages) {
        try {
            for (Stage stage : stages) {
                if (stage.run(x)) {
                    return true;
                }
            }
            return false;
        } catch (Refusal refusal) {
            refuse(x, refusal);
            return true;
        } catch (RuntimeException fault) {
            // the class only: a message could quote the request
            LOG.error("request {}: a pipeline stage failed, refusing (fail closed): {}", x.requestId(), fault.getClass().getName());
            refuse(x, new Refusal(500, ErrorType.API, "the gateway failed to handle the request; retry shortly"));
            return true;
        }
    }

    /**
     * The one refusal path: writes {@code refusal} (status, Anthropic-shaped body, its headers, the
     * admissions' and guard headers) and ends the call. A call refused before its body was read gets
     * {@code Connection: close} (the unread body makes the connection unusable).
     */
    public void refuse(ExchangeState x, Refusal refusal) {
        if (x.ended()) {
            return;
        }
        x.answered(refusal.status(), refusal.type());
        HttpFields.Mutable headers = x.sink().headers();
        refusal.headers().forEach(headers::put);
        x.addResponseHeaders(headers);
        if (!x.bodyRead() && x.requestHasBody()) {
            headers.put(HttpHeader.CONNECTION, "close");
        }
        byte[] json = ErrorBody.json(refusal.type(), refusal.getMessage(), x.requestId());
        complete(x, (sink, done) -> writeJson(sink, refusal.status(), json, x.requestId(), done));
    }

    /** Answers a call the gateway serves itself (a {@link LocalEndpoint}) and ends it. */
    void answer(ExchangeState x, LocalEndpoint.Answer answer) {
        x.answered(answer.status(), null);
        HttpFields.Mutable headers = x.sink().headers();
        x.addResponseHeaders(headers);
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        complete(x, (sink, done) -> writeJson(sink, answer.status(), answer.json(), x.requestId(), done));
    }

    /** The last bytes of a response, written once the call's record has been handed to the observers. */
    @FunctionalInterface
    public interface LastWrite {
        /** Writes the response's last bytes to {@code sink}, passing {@code done} to the last write. */
        void write(ResponseSink sink, Callback done);
    }

    /**
     * Ends the call, once (later calls do nothing): settles the admissions' tickets, builds the priced
     * record, hands it to every observer, then writes {@code last} — or, when a required observer
     * vetoed the call, answers 503 if nothing was sent yet and aborts the response otherwise.
     */
    public void complete(ExchangeState x, LastWrite last) {
        if (!x.end()) {
            return;
        }
        ExchangeRecord record = x.record(pricing);
        x.settleTickets(record);
        RuntimeException veto = report(record);
        ResponseSink sink = x.sink();
        if (veto == null) {
            last.write(sink, sink.done());
        } else if (sink.committed()) {
            sink.done().failed(veto);
        } else {
            sink.reset();
            writeJson(sink, 503, ErrorBody.json(ErrorType.API, UNRECORDED, x.requestId()), x.requestId(), sink.done());
        }
    }

    /** Hands {@code record} to every observer; returns the failure of the first required one, or null. */
    private RuntimeException report(ExchangeRecord record) {
        RuntimeException required = null;
        for (ExchangeObserver o : observers) {
            try {
                o.onExchange(record);
            } catch (RuntimeException e) {
                LOG.warn("exchange observer {} failed: {}", o.getClass().getSimpleName(), e.toString());
                if (o.required() && required == null) {
                    required = e;
                }
            }
        }
        return required;
    }

    /** Writes a complete JSON response (status, content type, request id, length, body). */
    static void writeJson(ResponseSink sink, int status, byte[] json, String requestId, Callback done) {
        sink.status(status);
        HttpFields.Mutable headers = sink.headers();
        headers.put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        headers.put(REQUEST_ID, requestId);
        headers.put(HttpHeader.CONTENT_LENGTH, json.length);
        sink.write(true, ByteBuffer.wrap(json), done);
    }

    /**
     * Lists the stages in the order calls meet them: {@link #beforeBody} stages, then
     * {@link #readBody} (the body limit the entry point enforces), then {@link #afterBody} stages
     * (the last one forwards), then the pricing of the record and its observers. Out of order is an error.
     */
    public static final class Builder {
        private final List<Stage> beforeBody = new ArrayList<>();
        private long maxBodyBytes = -1;
        private final List<Stage> afterBody = new ArrayList<>();
        private Pricing pricing = Pricing.NONE;
        private final List<ExchangeObserver> observers = new ArrayList<>();
        private final List<Readiness> readiness = new ArrayList<>();

        /** A stage that runs before the body is read: it sees the credential and the address, not the body. */
        public Builder beforeBody(Stage stage) {
            if (maxBodyBytes >= 0) {
                throw new IllegalStateException("a before-body stage must come before readBody");
            }
            beforeBody.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /** The entry point reads the body, at most {@code maxBodyBytes} of it (413 beyond). */
        public Builder readBody(long maxBodyBytes) {
            if (maxBodyBytes < 0) {
                throw new IllegalArgumentException("maxBodyBytes must not be negative");
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** A stage that runs once the whole body is in memory; the last one forwards the call. */
        public Builder afterBody(Stage stage) {
            if (maxBodyBytes < 0) {
                throw new IllegalStateException("an after-body stage must come after readBody");
            }
            afterBody.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /** Prices each call's metered usage once, into its record ({@link Cost}); default: nothing has a price. */
        public Builder price(Pricing pricing) {
            this.pricing = Objects.requireNonNull(pricing, "pricing");
            return this;
        }

        /** Hands every call's record to {@code observer}, in the order added. */
        public Builder observe(ExchangeObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /** A dependency {@code /readyz} checks. */
        public Builder readiness(Readiness check) {
            readiness.add(Objects.requireNonNull(check, "check"));
            return this;
        }

        public Pipeline build() {
            if (maxBodyBytes < 0) {
                throw new IllegalStateException("readBody is missing: say how large a body the entry point may read");
            }
            if (afterBody.isEmpty()) {
                throw new IllegalStateException("no after-body stage: the last one must answer or forward the call");
            }
            return new Pipeline(this);
        }
    }
}
