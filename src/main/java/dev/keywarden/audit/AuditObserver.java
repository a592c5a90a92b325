package dev.keywarden.audit;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.Preflight;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.log.Redactor;

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

    public AuditObserver(AuditTrail trail) {
        this.trail = trail;
    }

    /** In strict mode the record must be committed before the call's response may complete. */
    @Override
    public boolean required() {
        return trail.strict();
    }

    /** Strict mode: refuses calls (503) while the trail cannot make records durable. */
    @Override
    public void check(ClientIdentity identity, RequestSummary request) {
        try {
            trail.admit();
        } catch (AuditUnavailableException e) {
            throw new Refusal(503, ErrorType.API, "the gateway cannot record this call in its audit trail right now,"
                    + " so it refuses it (audit.mode: strict); retry shortly");
        }
    }

    @Override
    public void onExchange(ExchangeRecord r) {
        trail.appendDurably(entry(r, Instant.now()));
    }

    /** The audit fields of one exchange, its cost as the record priced it ({@link dev.keywarden.pipeline.Cost}). */
    public static AuditEntry entry(ExchangeRecord r, Instant at) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("request_id", r.requestId());
        f.put("action", r.route() == null ? null : r.route().id());
        f.put("method", r.method());
        f.put("path", r.path());
        if (r.identity() != null) {
            // the principal (what budgets, limits and usage --by principal count against); the credential's own name beside it
            f.put("principal", r.identity().principalName() != null ? r.identity().principalName() : r.identity().name());
            f.put("credential_name", r.identity().name());
            f.put("credential_kind", r.identity().credentialKind());
            f.put("credential_id", r.identity().credentialId());
            f.put("credential_prefix", r.identity().displayPrefix());
        }
        f.put("model", r.model());
        f.put("stream", r.request().stream());
        f.put("input_tokens", r.usage().inputTokens());
        f.put("output_tokens", r.usage().outputTokens());
        f.put("cache_creation_input_tokens", r.usage().cacheCreationInputTokens());
        f.put("cache_read_input_tokens", r.usage().cacheReadInputTokens());
        f.put("stop_reason", r.usage().stopReason());
        f.put("status", r.status());
        f.put("error_type", r.errorType());
        if (r.authFailure() != null) {
            f.put("auth_failure", r.authFailure()); // unknown (could be a guess) | unusable (a known credential refused)
        }
        f.put("upstream_status", r.upstreamStatus());
        f.put("provider_key", r.providerKey());
        if (r.byok()) {
            f.put("byok", true); // served with the caller's own key (bring your own key), not the operator's
        }
        f.put("latency_ms", r.totalNanos() / 1_000_000.0);
        f.put("upstream_latency_ms", r.upstreamNanos() / 1_000_000.0);
        f.put("client_address", r.clientAddress());
        f.put("user_agent", r.userAgent() == null ? null : clip(Redactor.redact(r.userAgent())));
        f.put("origin", r.origin() == null ? null : clip(Redactor.redact(r.origin())));
        f.put("client_aborted", r.clientAborted());
        f.put("cost_usd", r.cost().usdOrNull());
        f.put("guard", r.guard() == null ? null : r.guard().auditValue());
        return new AuditEntry(AuditEntry.CALL, at, f);
    }

    /** Client-supplied text is cut to 256 characters; the redactor still runs over any log copy. */
    private static String clip(String s) {
        return s.length() <= 256 ? s : s.substring(0, 256) + "…";
    }
}
