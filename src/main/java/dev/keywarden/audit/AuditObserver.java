package dev.keywarden.audit;

import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.Preflight;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.log.Redactor;
import dev.keywarden.pricing.PricingTable;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns every finished exchange into one audit record (who, which credential by id, what, model,
 * tokens, statuses, provider-key fingerprint, latencies, decisions) and, in strict audit mode,
 * refuses calls while the trail cannot write. Guarantee: a record holds identifiers, counts and
 * decisions only — never a credential, a provider key or request/response content.
 */
public final class AuditObserver implements ExchangeObserver, Preflight {

    private final AuditTrail trail;
    private final PricingTable pricing;
    private final java.util.List<java.util.function.Consumer<AuditEntry>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public AuditObserver(AuditTrail trail, PricingTable pricing) {
        this.trail = trail;
        this.pricing = pricing;
    }

    @Override
    public boolean required() {
        return trail.strict();
    }

    @Override
    public void check(dev.keywarden.pipeline.ClientIdentity identity, RequestSummary request) {
        try {
            trail.admit();
        } catch (AuditUnavailableException e) {
            throw new Refusal(503, ErrorType.API, "the gateway cannot record this call in its audit trail right now,"
                    + " so it refuses it (audit.mode: strict); retry shortly");
        }
    }

    @Override
    public void onExchange(ExchangeRecord r) {
        AuditEntry entry = entry(r, Instant.now(), costOf(r, pricing));
        for (java.util.function.Consumer<AuditEntry> listener : listeners) {
            try {
                listener.accept(entry);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(AuditObserver.class).warn("audit entry listener failed: {}", e.toString());
            }
        }
        trail.appendDurably(entry);
    }

    /**
     * Also hands every call's entry (built once per call) to {@code listener} — anomaly detection,
     * cost metrics — before it is written. Listeners must be fast and must not throw.
     */
    public AuditObserver alsoTo(java.util.function.Consumer<AuditEntry> listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** The call's cost in USD from its metered usage, or null when nothing was used or the model has no price. */
    public static Double costOf(ExchangeRecord r, PricingTable pricing) {
        var u = r.usage();
        if (u.inputTokens() + u.outputTokens() + u.cacheCreationInputTokens() + u.cacheReadInputTokens() == 0) {
            return null;
        }
        return pricing.cost(u.model() != null ? u.model() : r.request().model(), u.inputTokens(), u.outputTokens(),
                u.cacheCreationInputTokens(), u.cacheReadInputTokens()).orElse(null);
    }

    /** The audit fields of one exchange. */
    public static AuditEntry entry(ExchangeRecord r, Instant at) {
        return entry(r, at, null);
    }

    /** The audit fields of one exchange, with its cost in USD when known. */
    static AuditEntry entry(ExchangeRecord r, Instant at, Double costUsd) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("request_id", r.requestId());
        f.put("action", r.route() == null ? null : r.route().id());
        f.put("method", r.method());
        f.put("path", r.path());
        if (r.identity() != null) {
            f.put("principal", r.identity().name());
            f.put("credential_kind", r.identity().credentialKind());
            f.put("credential_id", r.identity().credentialId());
            f.put("credential_prefix", r.identity().displayPrefix());
        }
        f.put("model", r.usage().model() != null ? r.usage().model() : r.request().model());
        f.put("stream", r.request().stream());
        f.put("input_tokens", r.usage().inputTokens());
        f.put("output_tokens", r.usage().outputTokens());
        f.put("cache_creation_input_tokens", r.usage().cacheCreationInputTokens());
        f.put("cache_read_input_tokens", r.usage().cacheReadInputTokens());
        f.put("stop_reason", r.usage().stopReason());
        f.put("status", r.status());
        f.put("error_type", r.errorType());
        f.put("upstream_status", r.upstreamStatus());
        f.put("provider_key", r.providerKey());
        f.put("latency_ms", r.totalNanos() / 1_000_000.0);
        f.put("upstream_latency_ms", r.upstreamNanos() / 1_000_000.0);
        f.put("client_address", r.clientAddress());
        f.put("user_agent", r.userAgent() == null ? null : clip(Redactor.redact(r.userAgent())));
        f.put("origin", r.origin() == null ? null : clip(Redactor.redact(r.origin())));
        f.put("client_aborted", r.clientAborted());
        f.put("cost_usd", costUsd);
        f.put("guard", r.guard() == null ? null : r.guard().auditValue());
        return new AuditEntry(AuditEntry.CALL, at, f);
    }

    /** Client-supplied text is cut to 256 characters; the redactor still runs over any log copy. */
    private static String clip(String s) {
        return s.length() <= 256 ? s : s.substring(0, 256) + "…";
    }
}
