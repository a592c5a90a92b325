package dev.keywarden.limits.budget;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SpendLedger} in this process ({@code state: local}). Counters live in memory; with a
 * {@link BudgetStore} they are loaded from {@code budget_spend} at start and what was added is written
 * back every second (and on close), so a restart does not reset spend. A crash loses at most the last
 * second of spend. With a store shared by several instances (PostgreSQL) each flush also re-reads the
 * totals, so instances see each other's spend within about a second (not exact: use {@code state: redis}
 * for one shared count). Soft-alert and refusal markers are in memory: after a restart an alert already
 * raised in the period may be raised once more. An add repeated with the same request id is counted once
 * while that id is among the last {@value #RECENT_REQUESTS} added (a retry comes right after the first
 * attempt); the Redis ledger remembers ids for two days. Passes the same contract test as
 * {@link RedisSpendLedger} ({@code SpendLedgerContract}).
 */
public final class LocalSpendLedger implements SpendLedger {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSpendLedger.class);

    private final Clock clock;
    private final BudgetStore store;
    private final boolean rereadTotals;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> markers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService flusher;
    /** Request ids added lately, oldest first; guarded by its own monitor. */
    private final Set<String> recentRequests = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_REQUESTS;
        }
    });

    /** How many request ids the ledger remembers to ignore a repeated add. */
    static final int RECENT_REQUESTS = 16_384;

    private static final class Counter {
        final AtomicLong total = new AtomicLong();
        final AtomicLong unflushed = new AtomicLong();
        final long periodEnd;

        Counter(long periodEnd) {
            this.periodEnd = periodEnd;
        }
    }

    /** In memory only (tests). */
    public LocalSpendLedger(Clock clock) {
        this(clock, null, false);
    }

    /**
     * @param store        where spend survives restarts, or null
     * @param rereadTotals re-read totals after each flush (a store shared by several instances)
     */
    public LocalSpendLedger(Clock clock, BudgetStore store, boolean rereadTotals) {
        this.clock = clock;
        this.store = store;
        this.rereadTotals = rereadTotals;
        if (store != null) {
            store.deleteEnded(clock.millis() - java.time.Duration.ofDays(40).toMillis());
            store.currentSpend(clock.millis()).forEach((counter, v) -> counters.computeIfAbsent(counter, c -> new Counter(v[1]))
                    .total.set(v[0]));
            flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "keywarden-budget-flush");
                t.setDaemon(true);
                return t;
            });
            flusher.scheduleWithFixedDelay(this::flushQuietly, 1, 1, TimeUnit.SECONDS);
        } else {
            flusher = null;
        }
    }

    @Override
    public Check check(List<BudgetLine> lines) {
        long[] spent = new long[lines.size()];
        int exhausted = -1;
        for (int i = 0; i < lines.size(); i++) {
            Counter c = counters.get(lines.get(i).counter());
            spent[i] = c == null ? 0 : c.total.get();
            if (exhausted < 0 && lines.get(i).limited() && spent[i] >= lines.get(i).limitNanos()) {
                exhausted = i;
            }
        }
        boolean first = exhausted >= 0 && markers.add(lines.get(exhausted).counter() + ":exhausted");
        return new Check(spent, exhausted, first);
    }

    @Override
    public List<BudgetLine> add(String requestId, List<BudgetLine> lines, long costNanos, long[] softAtNanos) {
        List<BudgetLine> crossed = new ArrayList<>();
        synchronized (recentRequests) {
            if (!recentRequests.add(requestId)) {
                return crossed;
            }
        }
        for (int i = 0; i < lines.size(); i++) {
            BudgetLine line = lines.get(i);
            Counter c = counters.computeIfAbsent(line.counter(), k -> new Counter(line.periodEnd().toEpochMilli()));
            long total = c.total.addAndGet(costNanos);
            c.unflushed.addAndGet(costNanos);
            if (softAtNanos[i] > 0 && total >= softAtNanos[i] && markers.add(line.counter() + ":soft")) {
                crossed.add(line);
            }
        }
        return crossed;
    }

    /** Writes what was added since the last flush; on failure keeps it for the next flush. */
    public void flush() {
        if (store == null) {
            return;
        }
        Map<String, long[]> deltas = new HashMap<>();
        counters.forEach((name, c) -> {
            long d = c.unflushed.getAndSet(0);
            if (d != 0) {
                deltas.put(name, new long[]{d, c.periodEnd});
            }
        });
        if (!deltas.isEmpty()) {
            try {
                store.addSpend(deltas);
            } catch (RuntimeException e) {
                deltas.forEach((name, d) -> counters.get(name).unflushed.addAndGet(d[0]));
                throw e;
            }
        }
        long now = clock.millis();
        counters.entrySet().removeIf(e -> e.getValue().periodEnd <= now && e.getValue().unflushed.get() == 0);
        markers.removeIf(m -> !counters.containsKey(m.substring(0, m.lastIndexOf(':'))));
        if (rereadTotals) {
            store.currentSpend(now).forEach((name, v) -> {
                Counter c = counters.computeIfAbsent(name, k -> new Counter(v[1]));
                c.total.set(v[0] + c.unflushed.get());
            });
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("budget spend could not be written to the store (kept in memory, retried in a second): {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (flusher != null) {
            flusher.shutdown();
            try {
                flusher.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            flushQuietly();
        }
    }
}
