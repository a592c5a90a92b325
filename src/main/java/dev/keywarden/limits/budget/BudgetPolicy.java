package dev.keywarden.limits.budget;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Which budgets apply to a caller right now. A user or app: its own budget, its team's (when it has a
 * team) and its key's; a team calling with its own key: the team budget and the key's. Each over a UTC day
 * and a UTC month. Limits: an operator's explicit budget ({@link BudgetStore}), else the tier's default
 * from {@link BudgetConfig} (keys have no default). Explicit budgets are re-read at most once a second,
 * so a change made on any instance applies within about a second.
 */
public final class BudgetPolicy {

    static final Duration EXPLICIT_TTL = Duration.ofSeconds(1);

    private final BudgetConfig config;
    private final PrincipalService principals;
    private final Supplier<Map<String, Allowance>> explicitSource;
    private final Clock clock;
    private volatile Map<String, Allowance> explicit;
    private volatile long explicitReadAt = Long.MIN_VALUE;

    /**
     * @param principals     current principals (null: identities are used as they are)
     * @param explicitSource reads every explicit budget ({@link BudgetStore#all}); may throw when the store is down
     */
    public BudgetPolicy(BudgetConfig config, PrincipalService principals, Supplier<Map<String, Allowance>> explicitSource,
                        Clock clock) {
        this.config = config;
        this.principals = principals;
        this.explicitSource = explicitSource;
        this.clock = clock;
    }

    public BudgetConfig config() {
        return config;
    }

    /** The budget lines of {@code identity} at {@code now} (limited or not; every line's spend is counted). */
    public List<BudgetLine> linesFor(ClientIdentity identity, Instant now) {
        Map<String, Allowance> budgets = explicitBudgets();
        List<BudgetLine> lines = new ArrayList<>(6);
        Principal p = identity.principalId() == null || principals == null ? null
                : principals.current(identity.principalId()).orElse(null);
        if (p == null) {
            String tier = identity.principalTier() != null ? identity.principalTier() : principals == null ? null : principals.defaultTier();
            String id = identity.limitSubject();
            String name = identity.principalName() != null ? identity.principalName() : identity.name();
            add(lines, Scope.PRINCIPAL, id, name, budgets.get("principal:" + id), config.tierDefault(tier), now);
        } else if (p.kind() == Principal.Kind.TEAM) {
            add(lines, Scope.TEAM, p.id(), p.name(), budgets.get("principal:" + p.id()), config.tierDefault(p.tier()), now);
        } else {
            add(lines, Scope.PRINCIPAL, p.id(), p.name(), budgets.get("principal:" + p.id()), config.tierDefault(p.tier()), now);
            if (p.teamId() != null) {
                Principal team = principals.current(p.teamId()).orElse(null);
                if (team != null) {
                    add(lines, Scope.TEAM, team.id(), team.name(), budgets.get("principal:" + team.id()),
                            config.tierDefault(team.tier()), now);
                }
            }
        }
        if (identity.credentialId() != null) {
            // named by id, never by its kw_ display prefix, so no message or event holds anything shaped like a key
            add(lines, Scope.KEY, identity.credentialId(), identity.credentialId(), budgets.get("key:" + identity.credentialId()), Allowance.UNLIMITED, now);
        }
        return lines;
    }

    private static void add(List<BudgetLine> lines, Scope scope, String id, String name, Allowance own, Allowance fallback,
                            Instant now) {
        Allowance a = own == null ? Allowance.UNSET : own;
        lines.add(BudgetLine.of(scope, id, name, Period.DAY, a.limit(Period.DAY, fallback), now));
        lines.add(BudgetLine.of(scope, id, name, Period.MONTH, a.limit(Period.MONTH, fallback), now));
    }

    private Map<String, Allowance> explicitBudgets() {
        long now = clock.millis();
        Map<String, Allowance> m = explicit;
        if (m == null || now - explicitReadAt >= EXPLICIT_TTL.toMillis()) {
            m = explicitSource.get();
            explicit = m;
            explicitReadAt = now;
        }
        return m;
    }
}
