package dev.keywarden.limits.budget;

import dev.keywarden.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenarios every {@link SpendLedger} must pass, run against each implementation by a subclass
 * ({@link LocalSpendLedgerTest}, {@link RedisSpendLedgerIT}). Periods come from the lines (their labels),
 * the ledger's clock is a {@link MutableClock}: nothing sleeps.
 */
abstract class SpendLedgerContract {

    static final long DOLLAR = 1_000_000_000L;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T22:00:00Z"));
    SpendLedger ledger;

    /** A ledger of the implementation under test on {@code clock}, with counters of its own. */
    abstract SpendLedger newLedger(MutableClock clock);

    @BeforeEach
    void createLedger() {
        ledger = newLedger(clock);
    }

    @AfterEach
    void closeLedger() {
        if (ledger != null) {
            ledger.close();
        }
    }

    BudgetLine line(Scope scope, String subject, Period period, long limitNanos) {
        return BudgetLine.of(scope, subject, subject, period, limitNanos, clock.instant());
    }

    static long[] noSoft(int n) {
        return new long[n];
    }

    @Test
    void countersStartAtZeroAndNothingIsRefused() {
        List<BudgetLine> lines = List.of(line(Scope.PRINCIPAL, "alice", Period.DAY, DOLLAR), line(Scope.KEY, "vk_1", Period.MONTH, 0));
        SpendLedger.Check check = ledger.check(lines);
        assertThat(check.spent()).containsExactly(0, 0);
        assertThat(check.refused()).isFalse();
        assertThat(check.exhausted()).isEqualTo(-1);
        assertThat(check.firstRefusal()).isFalse();
    }

    @Test
    void anAddCountsIntoEveryLineOfTheCall() {
        List<BudgetLine> lines = List.of(line(Scope.PRINCIPAL, "alice", Period.DAY, 0), line(Scope.TEAM, "research", Period.DAY, 0),
                line(Scope.KEY, "vk_1", Period.MONTH, 0));
        ledger.add("req_1", lines, 300, noSoft(3));
        ledger.add("req_2", lines.subList(0, 1), 50, noSoft(1));
        assertThat(ledger.check(lines).spent()).containsExactly(350, 300, 300);
    }

    @Test
    void aRepeatedAddOfTheSameRequestIsCountedOnce() {
        List<BudgetLine> lines = List.of(line(Scope.PRINCIPAL, "alice", Period.DAY, 0));
        ledger.add("req_1", lines, 300, noSoft(1));
        ledger.add("req_1", lines, 300, noSoft(1));
        assertThat(ledger.check(lines).spent()).containsExactly(300);
    }

    @Test
    void aLineIsExhaustedOnceItsSpendReachesItsLimitAndTheFirstSuchLineIsNamed() {
        BudgetLine unlimited = line(Scope.KEY, "vk_1", Period.DAY, 0);
        BudgetLine daily = line(Scope.PRINCIPAL, "alice", Period.DAY, 1_000);
        BudgetLine team = line(Scope.TEAM, "research", Period.DAY, 1_000);
        List<BudgetLine> lines = List.of(unlimited, daily, team);
        ledger.add("req_1", lines, 999, noSoft(3));
        assertThat(ledger.check(lines).refused()).as("999 of 1000 spent").isFalse();
        ledger.add("req_2", lines, 1, noSoft(3));
        SpendLedger.Check check = ledger.check(lines);
        assertThat(check.spent()).containsExactly(1_000, 1_000, 1_000);
        assertThat(check.exhausted()).as("an unlimited line is never exhausted; the first limited one is named").isEqualTo(1);
    }

    @Test
    void theFirstRefusalOfACounterIsReportedOncePerPeriod() {
        List<BudgetLine> today = List.of(line(Scope.PRINCIPAL, "alice", Period.DAY, 100));
        ledger.add("req_1", today, 100, noSoft(1));
        assertThat(ledger.check(today).firstRefusal()).isTrue();
        assertThat(ledger.check(today).firstRefusal()).isFalse();
        assertThat(ledger.check(today).refused()).isTrue();

        clock.advance(Duration.ofHours(3)); // 2026-12-01: a new day, a new counter
        List<BudgetLine> tomorrow = List.of(line(Scope.PRINCIPAL, "alice", Period.DAY, 100));
        assertThat(ledger.check(tomorrow).refused()).isFalse();
        ledger.add("req_2", tomorrow, 150, noSoft(1));
        assertThat(ledger.check(tomorrow).firstRefusal()).isTrue();
    }

    @Test
    void countersOfAnotherPeriodOrSubjectAreSeparate() {
        BudgetLine day = line(Scope.PRINCIPAL, "alice", Period.DAY, 0);
        BudgetLine month = line(Scope.PRINCIPAL, "alice", Period.MONTH, 0);
        BudgetLine bob = line(Scope.PRINCIPAL, "bob", Period.DAY, 0);
        ledger.add("req_1", List.of(day, month), 10, noSoft(2));
        clock.advance(Duration.ofHours(3)); // a new day and a new month
        BudgetLine nextDay = line(Scope.PRINCIPAL, "alice", Period.DAY, 0);
        BudgetLine nextMonth = line(Scope.PRINCIPAL, "alice", Period.MONTH, 0);
        ledger.add("req_2", List.of(nextDay, nextMonth), 5, noSoft(2));
        assertThat(ledger.check(List.of(day, month, nextDay, nextMonth, bob)).spent()).containsExactly(10, 10, 5, 5, 0);
    }

    @Test
    void theSoftThresholdIsReportedOnceWhenTheSpendFirstReachesIt() {
        BudgetLine daily = line(Scope.PRINCIPAL, "alice", Period.DAY, 1_000);
        BudgetLine monthly = line(Scope.PRINCIPAL, "alice", Period.MONTH, 10_000);
        List<BudgetLine> lines = List.of(daily, monthly);
        long[] soft = {800, 8_000};
        assertThat(ledger.add("req_1", lines, 799, soft)).isEmpty();
        assertThat(ledger.add("req_2", lines, 1, soft)).containsExactly(daily);
        assertThat(ledger.add("req_3", lines, 100, soft)).as("already reported this period").isEmpty();
    }

    @Test
    void concurrentAddsAreAllCounted() throws Exception {
        List<BudgetLine> lines = List.of(line(Scope.PRINCIPAL, "alice", Period.DAY, 0), line(Scope.TEAM, "research", Period.MONTH, 0));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<List<BudgetLine>>> adds = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String id = "req_" + i;
                adds.add(() -> ledger.add(id, lines, 7, noSoft(2)));
            }
            for (var f : pool.invokeAll(adds)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(ledger.check(lines).spent()).containsExactly(1_400, 1_400);
    }
}
