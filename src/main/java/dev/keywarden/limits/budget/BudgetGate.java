package dev.keywarden.limits.budget;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.Admission;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.Cost;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spend budgets on the request path. Before the call: when any budget of the caller (principal, team,
 * key; day, month) is already spent ({@code spent >= limit}), the call is refused with 402
 * {@code billing_error} naming the budget, its limit and when it resets, plus {@code retry-after} until
 * then; it never reaches upstream. The estimated cost of the call itself is not checked, so one call may
 * overshoot a budget by its own cost (and calls in flight together by theirs). After the call
 * ({@link Admission.Ticket#finish}): the call's cost, as its record priced it ({@link Cost}), is added to
 * every budget counter of the caller; reaching {@code budgets.soft_threshold} of a budget raises the
 * {@code budget.soft_threshold} alert once per budget and period.
 *
 * <p>Fails closed: when the counters (Redis) or the budgets (store) cannot be read, a caller with any
 * limited budget gets 503 {@code api_error} "budget state unavailable". An add that fails is not retried:
 * its cost is logged and lost rather than risk counting it twice (adds are also idempotent per request id).
 */
public final class BudgetGate implements Admission {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetGate.class);

    private final BudgetPolicy policy;
    private final SpendLedger ledger;
    private final SecurityEvents events;
    private final Clock clock;
    private final Set<String> unpricedWarned = ConcurrentHashMap.newKeySet();

    public BudgetGate(BudgetPolicy policy, SpendLedger ledger, SecurityEvents events, Clock clock) {
        this.policy = policy;
        this.ledger = ledger;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public Ticket admit(ClientIdentity identity, RequestSummary request) {
        if (identity == null) {
            return Ticket.NONE;
        }
        Instant now = clock.instant();
        List<BudgetLine> lines;
        try {
            lines = policy.linesFor(identity, now);
        } catch (RuntimeException storeDown) {
            LOG.error("budgets of {} cannot be read, refusing (budgets fail closed): {}", identity.limitSubject(), storeDown.toString());
            throw unavailable();
        }
        if (lines.stream().anyMatch(BudgetLine::limited)) {
            SpendLedger.Check check;
            try {
                check = ledger.check(lines);
            } catch (RuntimeException e) {
                LOG.error("budget check for {} failed, refusing (budgets fail closed): {}", identity.limitSubject(), e.getMessage());
                throw unavailable();
            }
            if (check.refused()) {
                throw refusal(lines.get(check.exhausted()), check.spent()[check.exhausted()], check.firstRefusal(), now);
            }
        }
        return new BudgetTicket(lines);
    }

    private static Refusal unavailable() {
        return new Refusal(503, ErrorType.API, "budget state unavailable: the gateway cannot check spend budgets right now"
                + " (budgets fail closed); retry shortly");
    }

    private Refusal refusal(BudgetLine line, long spent, boolean first, Instant now) {
        long retry = Math.max(1, Duration.between(now, line.periodEnd()).toSeconds());
        if (first) {
            events.record(SecurityEvent.alert("budget.exhausted", line.scope().wireName() + ":" + line.subjectName(),
                    details(line, spent)));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("retry-after", Long.toString(retry));
        return new Refusal(402, ErrorType.BILLING, message(line, spent), headers);
    }

    /** The refusal message: which budget, its limit, what was spent and when it resets. Holds no secret. */
    static String message(BudgetLine line, long spent) {
        return "budget exceeded: the " + line.describe() + " is " + Usd.format(line.limitNanos()) + " per " + line.period().noun()
                + " (UTC) and " + Usd.format(spent) + " has been spent; it resets at " + line.periodEnd()
                + " (an operator can raise it: keywarden " + (line.scope() == Scope.KEY ? "keys" : "principals") + " set-budget)";
    }

    private static Map<String, String> details(BudgetLine line, long spent) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("scope", line.scope().wireName());
        d.put("subject_id", line.subjectId());
        d.put("period", line.period().noun());
        d.put("period_label", line.periodLabel());
        d.put("limit_usd", Usd.plain(line.limitNanos()));
        d.put("spent_usd", Usd.plain(spent));
        d.put("resets_at", line.periodEnd().toString());
        return d;
    }

    /**
     * The cost of a finished call in nano-dollars, as its record priced it ({@link Cost}: 0 when upstream
     * was not reached, reported no tokens, or the model has no price — the last one logged once per model).
     */
    long costNanos(ExchangeRecord record) {
        Cost cost = record.cost();
        if (cost.known()) {
            return cost.nanos();
        }
        Usage u = record.usage();
        if (record.upstreamStatus() != 0 && u != null && u.totalInputTokens() + u.outputTokens() > 0
                && cost.model() != null && unpricedWarned.add(cost.model())) {
            LOG.warn("model {} has no price: its calls are not counted against budgets (add it with pricing.file)", cost.model());
        }
        return 0;
    }

    private final class BudgetTicket implements Ticket {
        private final List<BudgetLine> lines;

        BudgetTicket(List<BudgetLine> lines) {
            this.lines = lines;
        }

        @Override
        public Map<String, String> responseHeaders() {
            return Map.of();
        }

        @Override
        public void finish(ExchangeRecord record) {
            long cost;
            try {
                cost = costNanos(record);
            } catch (RuntimeException e) {
                LOG.warn("request {}: cost could not be computed for budgets: {}", record.requestId(), e.toString());
                return;
            }
            if (cost <= 0 || lines.isEmpty()) {
                return;
            }
            long[] soft = new long[lines.size()];
            for (int i = 0; i < soft.length; i++) {
                long limit = lines.get(i).limitNanos();
                soft[i] = limit <= 0 ? 0 : Math.max(1, (long) Math.ceil(limit * policy.config().softThreshold()));
            }
            List<BudgetLine> crossed;
            try {
                crossed = ledger.add(record.requestId(), lines, cost, soft);
            } catch (RuntimeException e) {
                // not retried: the add may have been applied before the failure surfaced, and a retry could count it twice
                LOG.warn("request {}: spend of {} could not be added to the budgets of {} ({}); it is not counted",
                        record.requestId(), Usd.format(cost), lines.get(0).scope().wireName() + " " + lines.get(0).subjectName(),
                        e.getMessage());
                return;
            }
            for (BudgetLine line : crossed) {
                Map<String, String> d = details(line, soft[lines.indexOf(line)]);
                d.remove("spent_usd");
                d.put("soft_threshold", Double.toString(policy.config().softThreshold()));
                events.record(SecurityEvent.alert("budget.soft_threshold", line.scope().wireName() + ":" + line.subjectName(), d));
            }
        }
    }
}
