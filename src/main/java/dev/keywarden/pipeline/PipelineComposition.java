package dev.keywarden.pipeline;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one place that says which stages a call passes and in which order: {@link #compose} reads top
 * to bottom like the list of stages. Every entry point runs calls through the pipeline built here
 * (the proxy listener; a web endpoint through {@link Pipeline#run}). A new stage is one line in
 * {@link #compose} and one field in {@link Parts}; a feature that is off is an explicit no-op stage.
 * It names stage contracts only: the implementations come from the features, wired by {@code app}.
 */
public final class PipelineComposition {

    private PipelineComposition() {
    }

    /** The stages, in order. */
    public static Pipeline compose(Parts p) {
        Objects.requireNonNull(p.authenticator, "authenticator");
        Objects.requireNonNull(p.upstream, "upstream");
        Pipeline.Builder b = Pipeline.builder()
                // route: decided by the entry point (404 unknown path, 405 wrong method)
                .beforeBody(Stages.addressLockout(p.addressLockout))          // 429 while the address is locked out
                .beforeBody(Stages.authenticate(p.authenticator, p.addressLockout)) // 401; an unknown credential counts toward the lockout
                .readBody(p.maxBodyBytes)                                     // 413 over the limit (the entry point reads)
                .afterBody(Stages.JSON_CHECK)                                 // 400 unless one JSON object
                .afterBody(Stages.credentialScope(p.credentials))             // 403 outside a token's scopes
                .afterBody(Stages.guardInput(p.inputGuard))                   // 400/403 blocked, or the body redacted
                .afterBody(Stages.check(p.suspension))                        // 403 suspended principal
                .afterBody(Stages.check(p.auditAvailability))                 // 503 strict audit cannot write
                .afterBody(Stages.check(p.streamTracker))                     // counts streams in flight (never refuses)
                .afterBody(Stages.callerKey(p.callerKeys))                    // the caller's own key (BYOK); 403 when upstream rejected it
                .afterBody(Stages.admit(p.rateLimits))                        // 429 over a rate limit
                .afterBody(Stages.admitBudget(p.budgets, p.callerKeys))       // 402 budget spent (BYOK calls: byok.count_toward_budget)
                .afterBody(Stages.localEndpoints(p.endpoints))                // answers tokens.create here, never upstream
                .afterBody(p.upstream.chooseProviderKey())                    // 503 when no provider key can serve (keeps a BYOK key)
                .afterBody(Stages.spendUse(p.credentials))                    // 401 when a token has no use left
                .afterBody(p.upstream.forward(p.outputGuard))                 // upstream → meter → output filter → relay
                .price(p.pricing)                                             // the record: priced once
                .observe(p.accessLog)                                         // observers, before the response ends
                .observe(p.audit)
                .observe(p.metrics)
                .observe(p.anomalies);
        p.extraObservers.forEach(b::observe);
        p.readiness.forEach(b::readiness);
        return b.build();
    }

    /**
     * What the stages run. Everything but the authenticator and the upstream has an explicit no-op
     * default, so a feature that is off (or a test that does not need it) leaves its stage passing.
     */
    public static final class Parts {
        private final long maxBodyBytes;
        private AddressGuard addressLockout = AddressGuard.NONE;
        private Authenticator authenticator;
        private CredentialGuard credentials = CredentialGuard.NONE;
        private BodyGuard inputGuard = BodyGuard.NONE;
        private OutputFilter outputGuard = OutputFilter.NONE;
        private Preflight suspension = Preflight.NONE;
        private Preflight auditAvailability = Preflight.NONE;
        private Preflight streamTracker = Preflight.NONE;
        private Admission rateLimits = Admission.NONE;
        private Admission budgets = Admission.NONE;
        private CallerKeys callerKeys = CallerKeys.NONE;
        private final Map<Route, LocalEndpoint> endpoints = new EnumMap<>(Route.class);
        private Upstream upstream;
        private Pricing pricing = Pricing.NONE;
        private ExchangeObserver accessLog = new AccessLog();
        private ExchangeObserver audit = ExchangeObserver.NONE;
        private ExchangeObserver metrics = ExchangeObserver.NONE;
        private ExchangeObserver anomalies = ExchangeObserver.NONE;
        private final List<ExchangeObserver> extraObservers = new ArrayList<>();
        private final List<Readiness> readiness = new ArrayList<>();

        /** @param maxBodyBytes the largest request body an entry point reads ({@code server.max_body_bytes}) */
        public Parts(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
        }

        public Parts addressLockout(AddressGuard guard) {
            this.addressLockout = Objects.requireNonNull(guard);
            return this;
        }

        public Parts authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator);
            return this;
        }

        /** A credential's own limits: scopes (checked after the body) and uses (spent last before forwarding). */
        public Parts credentials(CredentialGuard guard) {
            this.credentials = Objects.requireNonNull(guard);
            return this;
        }

        /** The guardrails: on request bodies, and on the model output of {@code /v1/messages}. */
        public Parts guard(BodyGuard input, OutputFilter output) {
            this.inputGuard = Objects.requireNonNull(input);
            this.outputGuard = Objects.requireNonNull(output);
            return this;
        }

        public Parts suspension(Preflight check) {
            this.suspension = Objects.requireNonNull(check);
            return this;
        }

        /** Strict audit: refuses calls while the trail cannot write; its observer records every call. */
        public Parts audit(Preflight availability, ExchangeObserver observer) {
            this.auditAvailability = Objects.requireNonNull(availability);
            this.audit = Objects.requireNonNull(observer);
            return this;
        }

        /** Metrics: the streams-in-flight gauge (a preflight) and the per-call observer. */
        public Parts metrics(Preflight streamTracker, ExchangeObserver observer) {
            this.streamTracker = Objects.requireNonNull(streamTracker);
            this.metrics = Objects.requireNonNull(observer);
            return this;
        }

        public Parts anomalies(ExchangeObserver observer) {
            this.anomalies = Objects.requireNonNull(observer);
            return this;
        }

        public Parts rateLimits(Admission admission) {
            this.rateLimits = Objects.requireNonNull(admission);
            return this;
        }

        public Parts budgets(Admission admission) {
            this.budgets = Objects.requireNonNull(admission);
            return this;
        }

        /** The callers' own provider keys (bring your own key). */
        public Parts callerKeys(CallerKeys keys) {
            this.callerKeys = Objects.requireNonNull(keys);
            return this;
        }

        /** Serves {@code route} (one the gateway answers itself, e.g. {@link Route#TOKENS_CREATE}); 404 otherwise. */
        public Parts endpoint(Route route, LocalEndpoint endpoint) {
            if (route.proxied() || route.health()) {
                throw new IllegalArgumentException(route.id() + " is not a gateway-served route");
            }
            endpoints.put(route, Objects.requireNonNull(endpoint));
            return this;
        }

        /** The upstream end: provider-key choice and forwarding (the proxy's HTTP client). */
        public Parts upstream(Upstream upstream) {
            this.upstream = Objects.requireNonNull(upstream);
            return this;
        }

        public Parts pricing(Pricing pricing) {
            this.pricing = Objects.requireNonNull(pricing);
            return this;
        }

        /** Another observer after the standard ones (tests collect records this way). */
        public Parts observer(ExchangeObserver observer) {
            extraObservers.add(Objects.requireNonNull(observer));
            return this;
        }

        public Parts readiness(Readiness check) {
            readiness.add(Objects.requireNonNull(check));
            return this;
        }
    }
}
