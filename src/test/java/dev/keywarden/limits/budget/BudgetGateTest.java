package dev.keywarden.limits.budget;

import dev.keywarden.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.pipeline.Admission;
import dev.keywarden.pipeline.Cost;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.GuardReport;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Route;
import dev.keywarden.pipeline.Usage;
import dev.keywarden.pricing.PricingTable;
import dev.keywarden.store.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budget accounting and refusals with an injected clock and the in-memory ledger. */
class BudgetGateTest {

    /** 100 input + 100 output tokens of claude-sonnet-4-5 (USD 3 / 15 per MTok): USD 0.0018. */
    static final long CALL = 1_800_000L;
    static final RequestSummary REQUEST = new RequestSummary("claude-sonnet-4-5", false, 100, 400);


    @TempDir
    Path dir;
    Database db;
    PrincipalService principals;
    BudgetStore store;
    MutableClock clock = new MutableClock(Instant.parse("2026-11-30T22:00:00Z"));
    LocalSpendLedger ledger = new LocalSpendLedger(clock);
    List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    Principal team;
    Principal alice;
    Principal carol;
    Principal bob;
    int requests;

    @BeforeEach
    void open() {
        db = Database.openSqlite(dir);
        principals = new PrincipalService(db, "free", t -> true);
        store = new BudgetStore(db);
        team = principals.create("research", Principal.Kind.TEAM, "enterprise", null);
        alice = principals.create("alice", Principal.Kind.USER, "enterprise", "research");
        carol = principals.create("carol", Principal.Kind.USER, "enterprise", "research");
        bob = principals.create("bob", Principal.Kind.USER, "enterprise", null);
    }

    @AfterEach
    void close() {
        db.close();
    }

    BudgetGate gate(double soft) {
        BudgetConfig config = new BudgetConfig(true, soft, BudgetConfig.DEFAULT_TIER_BUDGETS);
        return new BudgetGate(new BudgetPolicy(config, principals, store::all, clock), ledger, events::add, clock);
    }

    static ClientIdentity key(Principal p, String keyId) {
        return new ClientIdentity("virtual_key", keyId, "kw_" + keyId.substring(3, 11), p.name() + "-key", p.id(), p.name(),
                p.kind().wireName(), p.tier());
    }

    ExchangeRecord record(ClientIdentity who) {
        Usage usage = new Usage(100, 100, 0, 0, "claude-sonnet-4-5", "end_turn");
        return new ExchangeRecord("req_" + (++requests), Route.MESSAGES, "POST", "/v1/messages", who, REQUEST, 200, null, 200,
                usage, Cost.of(usage, REQUEST.model(), 200, PricingTable.defaults()), "fp", 1, 1, "127.0.0.1", "test", null,
                false, GuardReport.Snapshot.EMPTY);
    }

    /** One admitted call that used {@link #CALL}. */
    void call(BudgetGate gate, ClientIdentity who) {
        Admission.Ticket t = gate.admit(who, REQUEST);
        t.finish(record(who));
    }

    void budget(BudgetStore.Owner owner, String id, String daily, String monthly) {
        store.set(owner, id, new Allowance(daily == null ? null : Usd.parse(daily), monthly == null ? null : Usd.parse(monthly)), 0);
        clock.advance(BudgetPolicy.EXPLICIT_TTL);
    }

    Refusal refused(BudgetGate gate, ClientIdentity who) {
        try {
            gate.admit(who, REQUEST);
        } catch (Refusal r) {
            return r;
        }
        throw new AssertionError("admitted");
    }

    @Test
    void eachCallIsAddedToThePrincipalTeamAndKeyCountersForTheDayAndTheMonth() {
        BudgetGate gate = gate(0.8);
        ClientIdentity aliceKey = key(alice, "vk_alice0001");
        call(gate, aliceKey);
        call(gate, aliceKey);
        call(gate, key(carol, "vk_carol0001"));
        BudgetPolicy policy = new BudgetPolicy(new BudgetConfig(true, 0.8, BudgetConfig.DEFAULT_TIER_BUDGETS), principals,
                store::all, clock);
        Map<String, Long> spent = spentByCounter(policy.linesFor(aliceKey, clock.instant()));
        assertThat(spent).containsExactlyInAnyOrderEntriesOf(Map.of(
                "principal:" + alice.id() + ":2026-11-30", 2 * CALL,
                "principal:" + alice.id() + ":2026-11", 2 * CALL,
                "team:" + team.id() + ":2026-11-30", 3 * CALL,
                "team:" + team.id() + ":2026-11", 3 * CALL,
                "key:vk_alice0001:2026-11-30", 2 * CALL,
                "key:vk_alice0001:2026-11", 2 * CALL));
    }

    Map<String, Long> spentByCounter(List<BudgetLine> lines) {
        long[] spent = ledger.check(lines).spent();
        Map<String, Long> m = new java.util.HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            m.put(lines.get(i).counter(), spent[i]);
        }
        return m;
    }

    @Test
    void spentDailyBudgetRefusesUntilTheNextUtcDayWhileTheMonthKeepsCounting() {
        BudgetGate gate = gate(0.8);
        budget(BudgetStore.Owner.PRINCIPAL, alice.id(), "0.001", "0.005");
        ClientIdentity aliceKey = key(alice, "vk_alice0001");
        call(gate, aliceKey);
        Refusal r = refused(gate, aliceKey);
        assertThat(r.status()).isEqualTo(402);
        assertThat(r.type().wireName()).isEqualTo("billing_error");
        assertThat(r.getMessage()).contains("daily budget of principal alice", "USD 0.001 per day", "USD 0.0018 has been spent",
                "resets at 2026-12-01T00:00:00Z");
        assertThat(r.headers()).containsEntry("retry-after", Long.toString(Duration.ofHours(2).minusSeconds(1).toSeconds()));
        assertThat(refused(gate, key(alice, "vk_alice0002")).getMessage()).as("every key of alice").contains("principal alice");
        gate.admit(key(bob, "vk_bob000001"), REQUEST);

        clock.set(Instant.parse("2026-12-01T00:00:01Z"));
        call(gate, aliceKey);
        clock.set(Instant.parse("2026-12-02T00:00:01Z"));
        call(gate, aliceKey);
        clock.set(Instant.parse("2026-12-03T00:00:01Z"));
        call(gate, aliceKey);
        clock.set(Instant.parse("2026-12-04T00:00:01Z"));
        // December so far: 3 calls = USD 0.0054 >= 0.005; November's spend does not count
        assertThat(refused(gate, aliceKey).getMessage()).contains("monthly budget of principal alice", "USD 0.005 per month",
                "resets at 2027-01-01T00:00:00Z");
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        gate.admit(aliceKey, REQUEST);
    }

    @Test
    void teamBudgetStopsEveryMemberButNotOthersAndKeyBudgetStopsOnlyThatKey() {
        BudgetGate gate = gate(0.8);
        budget(BudgetStore.Owner.PRINCIPAL, team.id(), "0.003", null);
        call(gate, key(alice, "vk_alice0001"));
        call(gate, key(carol, "vk_carol0001"));
        assertThat(refused(gate, key(alice, "vk_alice0001")).getMessage()).contains("daily budget of team research");
        assertThat(refused(gate, key(carol, "vk_carol0002")).getMessage()).contains("daily budget of team research");
        gate.admit(key(bob, "vk_bob000001"), REQUEST);

        budget(BudgetStore.Owner.KEY, "vk_bob000001", null, "0.001");
        call(gate, key(bob, "vk_bob000001"));
        assertThat(refused(gate, key(bob, "vk_bob000001")).getMessage()).contains("monthly budget of key vk_bob000001");
        gate.admit(key(bob, "vk_bob000002"), REQUEST);
    }

    @Test
    void softThresholdAlertIsRaisedOncePerBudgetAndPeriod() {
        BudgetGate gate = gate(0.5);
        budget(BudgetStore.Owner.PRINCIPAL, bob.id(), "0.01", null);
        ClientIdentity bobKey = key(bob, "vk_bob000001");
        call(gate, bobKey);
        call(gate, bobKey);
        assertThat(softAlerts()).isEmpty();
        call(gate, bobKey); // 0.0054 >= 0.005
        call(gate, bobKey);
        assertThat(softAlerts()).hasSize(1);
        SecurityEvent e = softAlerts().get(0);
        assertThat(e.alert()).isTrue();
        assertThat(e.subject()).isEqualTo("principal:bob");
        assertThat(e.details()).containsEntry("period", "day").containsEntry("limit_usd", "0.01").containsEntry("period_label", "2026-11-30");
        clock.set(Instant.parse("2026-12-01T08:00:00Z"));
        for (int i = 0; i < 4; i++) {
            call(gate, bobKey);
        }
        assertThat(softAlerts()).hasSize(2);
        assertThat(softAlerts().get(1).details()).containsEntry("period_label", "2026-12-01");
    }

    List<SecurityEvent> softAlerts() {
        return events.stream().filter(e -> e.type().equals("budget.soft_threshold")).toList();
    }

    @Test
    void firstRefusalOfAPeriodRaisesOneBudgetExhaustedEvent() {
        BudgetGate gate = gate(0.8);
        budget(BudgetStore.Owner.PRINCIPAL, bob.id(), "0.001", null);
        call(gate, key(bob, "vk_bob000001"));
        refused(gate, key(bob, "vk_bob000001"));
        refused(gate, key(bob, "vk_bob000001"));
        List<SecurityEvent> exhausted = events.stream().filter(e -> e.type().equals("budget.exhausted")).toList();
        assertThat(exhausted).hasSize(1);
        assertThat(exhausted.get(0).details()).containsEntry("scope", "principal").containsEntry("spent_usd", "0.0018");
    }

    @Test
    void unreachableLedgerRefusesLimitedCallersWith503AndAFailedAddIsNotRetried() {
        AtomicInteger adds = new AtomicInteger();
        SpendLedger down = new SpendLedger() {
            @Override
            public Check check(List<BudgetLine> lines) {
                throw new BudgetStateUnavailableException("budget state unavailable (test)", null);
            }

            @Override
            public List<BudgetLine> add(String requestId, List<BudgetLine> lines, long costNanos, long[] softAtNanos) {
                adds.incrementAndGet();
                throw new BudgetStateUnavailableException("budget state unavailable (test)", null);
            }
        };
        BudgetConfig config = new BudgetConfig(true, 0.8, BudgetConfig.DEFAULT_TIER_BUDGETS);
        BudgetGate gate = new BudgetGate(new BudgetPolicy(config, principals, store::all, clock), down, events::add, clock);
        budget(BudgetStore.Owner.PRINCIPAL, bob.id(), "1", null);
        assertThatThrownBy(() -> gate.admit(key(bob, "vk_bob000001"), REQUEST)).isInstanceOfSatisfying(Refusal.class, r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.type().wireName()).isEqualTo("api_error");
            assertThat(r.getMessage()).startsWith("budget state unavailable");
        });
        // alice has no limited budget (enterprise, no explicit one): nothing to check, so she is served
        Admission.Ticket t = gate.admit(key(alice, "vk_alice0001"), REQUEST);
        t.finish(record(key(alice, "vk_alice0001")));
        assertThat(adds).hasValue(1);
    }

    @Test
    void storeThatCannotBeReadRefusesWith503() {
        BudgetGate gate = gate(0.8);
        db.close();
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> gate.admit(key(bob, "vk_bob000001"), REQUEST))
                .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(503));
    }

    @Test
    void localLedgerPersistsSpendAcrossARestart() {
        LocalSpendLedger first = new LocalSpendLedger(clock, store, false);
        List<BudgetLine> lines = List.of(BudgetLine.of(Scope.PRINCIPAL, bob.id(), "bob", Period.DAY, 0, clock.instant()));
        first.add("req_1", lines, CALL, new long[]{0});
        first.close();
        LocalSpendLedger second = new LocalSpendLedger(clock, store, false);
        assertThat(second.check(lines).spent()).containsExactly(CALL);
        second.close();
    }

    @Test
    void usdAmountsParseFormatAndRoundUp() {
        assertThat(Usd.parse("0.0001")).isEqualTo(100_000L);
        assertThat(Usd.parse("10")).isEqualTo(10_000_000_000L);
        assertThat(Usd.toNanos(0.25e-9)).isEqualTo(1L);
        assertThat(Usd.format(1_000_000L)).isEqualTo("USD 0.001");
        assertThat(Usd.format(10_000_000_000L)).isEqualTo("USD 10");
        assertThatThrownBy(() -> Usd.parse("-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Usd.parse("ten")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configReadsTierBudgetsAndRefusesAnOpenFailureModeAndABadThreshold() {
        BudgetConfig c = BudgetConfig.fromSettings(Map.of("tiers.free.daily_budget_usd", "2", "tiers.gold.monthly_budget_usd", "100",
                "budgets.soft_threshold", "0.9", "budgets.on_failure", "closed"));
        assertThat(c.softThreshold()).isEqualTo(0.9);
        assertThat(c.tierDefault("free")).isEqualTo(new Allowance(Usd.parse("2"), Usd.parse("10")));
        assertThat(c.tierDefault("gold").limit(Period.MONTH, null)).isEqualTo(Usd.parse("100"));
        assertThat(c.tierDefault("gold").limit(Period.DAY, null)).isZero();
        assertThat(c.tierDefault("enterprise")).isEqualTo(Allowance.UNLIMITED);
        assertThatThrownBy(() -> BudgetConfig.fromSettings(Map.of("budgets.on_failure", "open")))
                .hasMessageContaining("budgets.on_failure (KEYWARDEN_BUDGETS_ON_FAILURE)").hasMessageContaining("fail closed");
        assertThatThrownBy(() -> BudgetConfig.fromSettings(Map.of("budgets.soft_threshold", "1.5")))
                .hasMessageContaining("budgets.soft_threshold");
        assertThatThrownBy(() -> BudgetConfig.fromSettings(Map.of("tiers.free.daily_budget_usd", "lots")))
                .hasMessageContaining("tiers.free.daily_budget_usd");
    }
}
