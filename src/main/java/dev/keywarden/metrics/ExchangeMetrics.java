package dev.keywarden.metrics;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.Preflight;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records every finished exchange as metrics, and counts streaming calls in flight: a streaming
 * call is counted from the moment it passes preflight (it is about to be forwarded) until its
 * exchange record arrives. Labels are route ids, status codes, bounded model names and error
 * types only — never a request id, address, principal or credential.
 */
final class ExchangeMetrics implements ExchangeObserver, Preflight {

    private final MeterRegistry registry;
    private final BoundedLabel models;
    private final BoundedLabel errorTypes = new BoundedLabel(32);
    private record RequestKey(String route, String status, String model) { }

    private record TokenKey(String model, String type) { }

    // meters cached by label values: the hot path does one map lookup per meter, not a registry lookup
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> totalTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> upstreamTimers = new ConcurrentHashMap<>();
    private final Map<TokenKey, Counter> tokens = new ConcurrentHashMap<>();
    private final Map<String, Counter> costs = new ConcurrentHashMap<>();
    /** Streaming calls in flight, keyed by the identity of their request summary (one object per call). */
    private final Set<RequestSummary> activeStreams = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    ExchangeMetrics(MeterRegistry registry, BoundedLabel models) {
        this.registry = registry;
        this.models = models;
        registry.gauge("keywarden.streams.active", activeStreams, Set::size);
    }

    @Override
    public void check(ClientIdentity identity, RequestSummary request) {
        if (request != null && request.stream()) {
            activeStreams.add(request);
        }
    }

    int activeStreams() {
        return activeStreams.size();
    }

    @Override
    public void onExchange(ExchangeRecord r) {
        if (r.request() != null) {
            activeStreams.remove(r.request());
        }
        String route = r.route() == null ? BoundedLabel.NONE : r.route().id();
        Usage usage = r.usage() == null ? Usage.EMPTY : r.usage();
        String model = models.of(r.model());
        String status = Integer.toString(r.status());

        requests.computeIfAbsent(new RequestKey(route, status, model), k -> Counter.builder("keywarden.requests")
                .description("Client requests finished, by route, status and model")
                .tags("route", k.route(), "status", k.status(), "model", k.model()).register(registry)).increment();
        totalTimers.computeIfAbsent(route, k -> Timer.builder("keywarden.request.duration")
                .description("Time from request received to response complete")
                .tags("route", k).publishPercentileHistogram().register(registry)).record(r.totalNanos(), TimeUnit.NANOSECONDS);
        if (r.upstreamNanos() > 0) {
            upstreamTimers.computeIfAbsent(route, k -> Timer.builder("keywarden.upstream.duration")
                    .description("Time from sending upstream to the upstream response completing")
                    .tags("route", k).publishPercentileHistogram().register(registry)).record(r.upstreamNanos(), TimeUnit.NANOSECONDS);
        }
        tokens(model, "input", usage.inputTokens());
        tokens(model, "output", usage.outputTokens());
        tokens(model, "cache_creation", usage.cacheCreationInputTokens());
        tokens(model, "cache_read", usage.cacheReadInputTokens());
        if (r.cost().known()) {
            cost(model, r.cost().usd());
        }

        String refusal = refusalReason(r);
        if (refusal != null) {
            Counter.builder("keywarden.refusals").description("Calls the gateway refused for limits or budgets, by reason")
                    .tags("reason", refusal).register(registry).increment();
        }
        String upstreamError = upstreamErrorType(r);
        if (upstreamError != null) {
            Counter.builder("keywarden.upstream.errors").description("Upstream failures (error statuses, error events, unreachable), by error type")
                    .tags("type", errorTypes.of(upstreamError)).register(registry).increment();
        }
    }

    private void tokens(String model, String type, long count) {
        if (count > 0) {
            tokens.computeIfAbsent(new TokenKey(model, type), k -> Counter.builder("keywarden.tokens")
                    .description("Tokens reported by upstream, by model and type")
                    .tags("model", k.model(), "type", k.type()).register(registry)).increment(count);
        }
    }

    /** Adds {@code usd} to {@code keywarden_cost_usd_total} of {@code label} (a bounded model label). */
    void cost(String label, double usd) {
        if (!(usd > 0) || Double.isInfinite(usd)) {
            return;
        }
        costs.computeIfAbsent(label, k -> Counter.builder("keywarden.cost").baseUnit("usd")
                .description("Spend on upstream calls, by model").tags("model", k).register(registry)).increment(usd);
    }

    /** A refusal the gateway decided itself (upstream not reached): 429 is a rate limit, 402 a budget. */
    static String refusalReason(ExchangeRecord r) {
        if (r.upstreamStatus() != 0) {
            return null;
        }
        return switch (r.status()) {
            case 429 -> "rate_limit";
            case 402 -> "budget";
            default -> null;
        };
    }

    /**
     * The error type of an upstream failure: an error status from upstream, an error event inside a
     * successful stream, or no upstream answer at all for a call that was being forwarded (a key was chosen).
     */
    static String upstreamErrorType(ExchangeRecord r) {
        if (r.upstreamStatus() >= 400) {
            return r.errorType() != null ? r.errorType() : ErrorType.forStatus(r.upstreamStatus()).wireName();
        }
        if (r.upstreamStatus() > 0 && r.errorType() != null) {
            return r.errorType();
        }
        if (r.upstreamStatus() == 0 && r.providerKey() != null && r.status() >= 500 && !r.clientAborted()) {
            return r.errorType() != null ? r.errorType() : ErrorType.forStatus(r.status()).wireName();
        }
        return null;
    }
}
