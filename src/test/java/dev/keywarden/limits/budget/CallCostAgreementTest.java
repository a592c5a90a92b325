package dev.keywarden.limits.budget;

import dev.keywarden.audit.AuditObserver;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.Cost;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.GuardReport;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Route;
import dev.keywarden.pipeline.Usage;
import dev.keywarden.pricing.PricingTable;
import dev.keywarden.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit record and the budgets read one cost per call (the record's {@link Cost}): they agree on
 * every call, including those that once disagreed (usage on a call upstream never answered).
 */
class CallCostAgreementTest {

    static final PricingTable PRICES = PricingTable.defaults();
    static final RequestSummary REQUEST = new RequestSummary("claude-sonnet-4-5", false, 100, 400);
    static final ClientIdentity WHO = new ClientIdentity("virtual_key", "vk_1", "kw_ab12", "alice");

    static ExchangeRecord record(int upstreamStatus, Usage usage) {
        return new ExchangeRecord("req_1", Route.MESSAGES, "POST", "/v1/messages", WHO, REQUEST, upstreamStatus == 0 ? 502 : 200,
                null, upstreamStatus, usage, Cost.of(usage, REQUEST.model(), upstreamStatus, PRICES), "fp", 1, 1, "127.0.0.1",
                null, null, false, GuardReport.Snapshot.EMPTY);
    }

    static BudgetGate gate() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
        return new BudgetGate(null, null, e -> { }, clock);
    }

    static Object auditedCost(ExchangeRecord r) {
        return AuditObserver.entry(r, Instant.now()).fields().get("cost_usd");
    }

    @Test
    void aServedCallCostsTheSameInTheAuditRecordAndTheBudgets() {
        ExchangeRecord r = record(200, new Usage(1200, 300, 0, 0, "claude-sonnet-4-5-20250929", "end_turn"));
        assertThat(auditedCost(r)).isEqualTo((1200 * 3.0 + 300 * 15.0) / 1e6);
        assertThat(gate().costNanos(r)).isEqualTo(Usd.toNanos((Double) auditedCost(r)));
    }

    @Test
    void aCallUpstreamNeverAnsweredCostsNothingInTheAuditRecordAndTheBudgets() {
        // the old rules split here: audit priced any metered tokens, budgets only calls upstream answered
        ExchangeRecord r = record(0, new Usage(1200, 300, 0, 0, "claude-sonnet-4-5", null));
        assertThat(auditedCost(r)).isNull();
        assertThat(gate().costNanos(r)).isZero();
    }

    @Test
    void anUnpricedModelIsUnknownInTheAuditRecordAndFreeForTheBudgets() {
        ExchangeRecord r = record(200, new Usage(1200, 300, 0, 0, "model-nobody-prices", "end_turn"));
        assertThat(auditedCost(r)).isNull();
        assertThat(gate().costNanos(r)).isZero();
    }

    @Test
    void aCallWithoutTokensHasNoCostAnywhere() {
        for (ExchangeRecord r : List.of(record(200, Usage.EMPTY), record(0, Usage.EMPTY))) {
            assertThat(auditedCost(r)).isNull();
            assertThat(gate().costNanos(r)).isZero();
        }
    }
}
