package dev.keywarden.app;

import dev.keywarden.pipeline.PipelineComposition;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.LimitsConfig;
import dev.keywarden.limits.AddressLockout;
import dev.keywarden.limits.FailoverRateLimiter;
import dev.keywarden.limits.LocalRateLimiter;
import dev.keywarden.limits.PrincipalGate;
import dev.keywarden.limits.RateLimitGate;
import dev.keywarden.limits.RateLimiter;
import dev.keywarden.limits.RedisRateLimiter;
import dev.keywarden.limits.budget.BudgetConfig;
import dev.keywarden.limits.budget.BudgetGate;
import dev.keywarden.limits.budget.BudgetPolicy;
import dev.keywarden.limits.budget.BudgetStore;
import dev.keywarden.limits.budget.LocalSpendLedger;
import dev.keywarden.limits.budget.RedisSpendLedger;
import dev.keywarden.limits.budget.SpendLedger;
import dev.keywarden.state.RedisState;
import dev.keywarden.store.Database;
import dev.keywarden.store.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The limits stages: principal suspension (always), per-principal rate limits (unless
 * {@code limits.enabled: off}), the per-address lockout (unless {@code limits.auth_failures_per_minute: 0})
 * and spend budgets (unless {@code budgets.enabled: off}) — in Redis with {@code state: redis}
 * ({@code redis.on_failure} decides what happens while it is down), else in this process.
 */
final class LimitsWiring {

    private static final Logger LOG = LoggerFactory.getLogger(LimitsWiring.class);

    private LimitsWiring() {
    }

    static void addTo(PipelineComposition.Parts parts, KeywardenConfig config, PrincipalService principals,
                      Optional<RedisState> redis, SecurityEvents events) {
        LimitsConfig limits = config.limits();
        LocalRateLimiter local = new LocalRateLimiter();
        RateLimiter limiter = redis.<RateLimiter>map(r -> new FailoverRateLimiter(new RedisRateLimiter(r), local,
                config.shared().onRedisFailure(), config.shared().instances(), events)).orElse(local);
        parts.suspension(new PrincipalGate(principals));
        if (limits.enabled()) {
            parts.rateLimits(new RateLimitGate(limiter, limits, principals));
            LOG.info("rate limits per principal ({}): {}", redis.isPresent() ? "shared in Redis" : "in this process",
                    limits.tiers().values().stream().map(t -> t.name() + " " + t.requestsPerMinute() + " req/min").sorted().toList());
        }
        if (limits.authFailuresPerMinute() > 0) {
            parts.addressLockout(new AddressLockout(limiter, local, limits.authFailuresPerMinute(), limits.authLockout(), events));
        }
    }

    /** Spend budgets per principal, team and virtual key; the ledger is closed with {@code resources}. */
    static void addBudgets(PipelineComposition.Parts parts, BudgetConfig budgets, Database db, PrincipalService principals,
                           Optional<RedisState> redis, SecurityEvents events, List<AutoCloseable> resources) {
        if (!budgets.enabled()) {
            LOG.warn("budgets are off (budgets.enabled: off): spend is not limited");
            return;
        }
        Clock clock = Clock.systemUTC();
        BudgetStore store = new BudgetStore(db);
        SpendLedger ledger = redis.<SpendLedger>map(r -> new RedisSpendLedger(r, clock))
                .orElseGet(() -> new LocalSpendLedger(clock, store, db.dialect() == Dialect.POSTGRESQL));
        resources.add(ledger);
        parts.budgets(new BudgetGate(new BudgetPolicy(budgets, principals, store::all, clock), ledger, events, clock));
        LOG.info("spend budgets ({}; soft alert at {}): tier defaults {}", redis.isPresent() ? "shared in Redis" : "in this process",
                budgets.softThreshold(), budgets.tierDefaults().entrySet().stream().map(e -> e.getKey() + " " + e.getValue().describe()).sorted().toList());
    }
}
