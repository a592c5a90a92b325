package dev.keywarden.limits;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.config.LimitsConfig;
import dev.keywarden.config.TierLimits;
import dev.keywarden.pipeline.Admission;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-principal rate limits on the request path. Before the call: the principal's current tier
 * (re-read at most once a second) decides the limits, and the call is charged one request, an input
 * estimate ({@code body bytes / 4}) and an output estimate ({@code max_tokens}). After the call
 * ({@link Admission.Ticket#finish}): the token buckets are corrected from the metered usage (all of
 * the estimate comes back when upstream was not reached) and the concurrency slot is freed.
 *
 * <p>Refusals: 429 {@code rate_limit_error} with {@code retry-after}, {@code RateLimit-Policy} and
 * {@code RateLimit}; 503 {@code api_error} when the shared state cannot be reached and
 * {@code redis.on_failure} is fail-closed. Limits count per principal, never per address.
 */
public final class RateLimitGate implements Admission {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimitGate.class);

    private final RateLimiter limiter;
    private final LimitsConfig config;
    private final PrincipalService principals;
    private final Set<String> warnedTiers = ConcurrentHashMap.newKeySet();

    public RateLimitGate(RateLimiter limiter, LimitsConfig config, PrincipalService principals) {
        this.limiter = limiter;
        this.config = config;
        this.principals = principals;
    }

    @Override
    public Ticket admit(ClientIdentity identity, RequestSummary request) {
        if (identity == null) {
            return Ticket.NONE;
        }
        Principal principal;
        try {
            principal = identity.principalId() == null || principals == null ? null
                    : principals.current(identity.principalId()).orElse(null);
        } catch (RuntimeException storeDown) {
            throw new Refusal(503, ErrorType.API, "the gateway cannot check the caller's rate-limit tier right now; retry shortly");
        }
        String tierName = principal != null ? principal.tier() : identity.principalTier();
        if (tierName != null && !config.knows(tierName) && warnedTiers.add(tierName)) {
            LOG.warn("tier '{}' is not configured; principals on it get the limits of the default tier '{}'"
                    + " (define tiers.{}.* or move them with keywarden principals set-tier)", tierName, config.defaultTier(), tierName);
        }
        TierLimits limits = config.tier(tierName);
        String subject = identity.limitSubject();
        long inputEstimate = request.bodyBytes() <= 0 ? 0 : Math.max(1, request.bodyBytes() / 4);
        long outputEstimate = Math.max(0, request.maxTokens());
        Decision d;
        try {
            d = limiter.acquire(subject, limits, inputEstimate, outputEstimate);
        } catch (LimiterUnavailableException e) {
            throw new Refusal(503, ErrorType.API, "the gateway cannot check rate limits right now (shared limit state"
                    + " unreachable); retry shortly");
        } catch (RuntimeException e) {
            LOG.error("rate-limit decision for {} failed, refusing (fail closed): {}", subject, e.toString());
            throw new Refusal(503, ErrorType.API, "the gateway cannot check rate limits right now; retry shortly");
        }
        TierLimits effective = limiter.effectiveLimits(limits, d);
        Map<String, String> headers = RateLimitHeaders.of(effective, d);
        if (!d.admitted()) {
            Map<String, String> refusal = new LinkedHashMap<>(headers);
            long retry = Math.max(1, RateLimitHeaders.seconds(d.retryAfterMillis()));
            refusal.put("retry-after", Long.toString(retry));
            String who = principal != null ? "principal " + principal.name() : "this key";
            throw new Refusal(429, ErrorType.RATE_LIMIT, "rate limit exceeded for " + who + " (tier " + limits.name() + "): "
                    + d.refusedBy().orElseThrow().describe(effective) + "; retry after " + retry + " seconds", refusal);
        }
        return new LimitTicket(subject, limits, d, inputEstimate, outputEstimate, headers);
    }

    private final class LimitTicket implements Ticket {
        private final String subject;
        private final TierLimits limits;
        private final Decision decision;
        private final long inputEstimate;
        private final long outputEstimate;
        private final Map<String, String> headers;

        LimitTicket(String subject, TierLimits limits, Decision decision, long inputEstimate, long outputEstimate,
                    Map<String, String> headers) {
            this.subject = subject;
            this.limits = limits;
            this.decision = decision;
            this.inputEstimate = inputEstimate;
            this.outputEstimate = outputEstimate;
            this.headers = headers;
        }

        @Override
        public Map<String, String> responseHeaders() {
            return headers;
        }

        @Override
        public void finish(ExchangeRecord record) {
            Usage usage = record.usage() == null ? Usage.EMPTY : record.usage();
            long actualIn = record.upstreamStatus() == 0 ? 0 : usage.totalInputTokens();
            long actualOut = record.upstreamStatus() == 0 ? 0 : usage.outputTokens();
            try {
                limiter.settle(subject, limits, decision, inputEstimate - actualIn, outputEstimate - actualOut);
            } catch (RuntimeException e) {
                LOG.warn("request {}: could not settle rate-limit tokens of {} (estimate kept): {}", record.requestId(),
                        subject, e.toString());
            }
        }
    }
}
