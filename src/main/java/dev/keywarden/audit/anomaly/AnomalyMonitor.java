package dev.keywarden.audit.anomaly;

import dev.keywarden.audit.AuditEntry;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.AnomalyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Anomaly detection on the live stream of audit entries (call records and security events), per
 * principal, per provider key and per client address. Runs the detectors — request-rate spike,
 * 401/403 bursts, new client address, unusual hour, token consumption per request and per hour —
 * on one worker thread, de-duplicates their alerts (once per detector and subject per
 * {@code anomaly.alert_cooldown}) and hands each alert to every {@link AlertSink}; with
 * {@code anomaly.suspend_key} it also calls the {@link KeySuspender} for the virtual key involved.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #observe} never blocks and never throws: entries go through a bounded queue; when it is
 *       full the entry is skipped for detection only (counted in {@link #dropped()}, logged once) — the
 *       audit trail itself is written elsewhere and loses nothing;</li>
 *   <li>{@code anomaly.*} events (this monitor's own alerts recorded in the trail) are never learned
 *       from, so wiring the trail's events back into {@link #observe} cannot loop;</li>
 *   <li>per-subject state is bounded by {@code anomaly.max_subjects} per detector;</li>
 *   <li>with a {@link HistorySource}, detectors first re-learn from stored records without alerting,
 *       so baselines and learning periods survive a restart.</li>
 * </ul>
 */
public final class AnomalyMonitor implements ExchangeObserver, AutoCloseable {

    /** Prefix of the event type of every alert: {@code anomaly.<detector>}. */
    public static final String EVENT_PREFIX = "anomaly.";

    private static final Logger LOG = LoggerFactory.getLogger(AnomalyMonitor.class);
    private static final Observation STOP = new Observation(Instant.EPOCH, null, null, null, 0, 0, null);

    private final AnomalyConfig config;
    private final List<Detector> detectors;
    private final List<AlertSink> sinks;
    private final KeySuspender suspender;
    private final AlertDeduplicator dedup;
    private final BoundedMap<String, Instant> suspended;
    private final BlockingQueue<Observation> queue;
    private final Thread worker;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong raised = new AtomicLong();
    private final AtomicBoolean dropLogged = new AtomicBoolean();
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private final HistorySource history;
    private volatile boolean closed;
    private volatile boolean replaying;
    private final java.util.concurrent.CountDownLatch warmedUp = new java.util.concurrent.CountDownLatch(1);

    private AnomalyMonitor(AnomalyConfig config, List<AlertSink> sinks, KeySuspender suspender, HistorySource history) {
        this.history = Objects.requireNonNull(history, "history");
        this.config = config;
        this.sinks = List.copyOf(sinks);
        this.suspender = Objects.requireNonNull(suspender, "suspender");
        int n = config.maxSubjects();
        this.detectors = List.of(
                new RateSpikeDetector(config.rateSpike(), n),
                new AuthFailureBurstDetector(config.authFailures(), n),
                new NewAddressDetector(config.newAddress(), n),
                new UnusualHourDetector(config.unusualHours(), n),
                new TokenUsageDetector(config.tokens(), n));
        this.dedup = new AlertDeduplicator(config.cooldown(), n * 4);
        this.suspended = new BoundedMap<>(n);
        this.queue = new ArrayBlockingQueue<>(config.queueSize());
        this.worker = Thread.ofPlatform().name("kw-anomaly").daemon(true).unstarted(this::run);
    }

    /**
     * Starts the detector thread. {@code sinks} are closed by {@link #close()}.
     *
     * @param suspender called for the credential of an alert when {@code anomaly.suspend_key} is true
     */
    public static AnomalyMonitor start(AnomalyConfig config, List<AlertSink> sinks, KeySuspender suspender) {
        return start(config, sinks, suspender, HistorySource.NONE);
    }

    /**
     * Starts the detector thread, which first learns from {@code history} (e.g.
     * {@link HistorySource#fromStore} over the last {@code anomaly.warm_up}) without raising alerts,
     * so baselines and learning periods survive a restart. Records observed meanwhile wait in the queue.
     */
    public static AnomalyMonitor start(AnomalyConfig config, List<AlertSink> sinks, KeySuspender suspender,
                                       HistorySource history) {
        AnomalyMonitor m = new AnomalyMonitor(Objects.requireNonNull(config, "config"), sinks, suspender, history);
        m.worker.start();
        return m;
    }

    /**
     * The usual sinks: the log, and {@code events} as ALERT security events. When {@code events} is the
     * gateway's {@link dev.keywarden.audit.SecurityEventRouter}, that puts each alert in the audit trail
     * and sends it to the webhook ({@code alerts.webhook_url}), like every other ALERT-class event.
     */
    public static List<AlertSink> standardSinks(SecurityEvents events) {
        List<AlertSink> sinks = new ArrayList<>();
        sinks.add(new LogAlertSink());
        sinks.add(new AuditTrailAlertSink(events));
        return sinks;
    }

    /**
     * Offers a security event or a stored record to the detectors; returns at once (skips it when the
     * queue is full). Only failed admin logins and call records are observations.
     */
    public void observe(AuditEntry entry) {
        if (closed || entry == null || !config.enabled()) {
            return;
        }
        if (AuditEntry.EVENT.equals(entry.kind()) && entry.fields().get("type") instanceof String type
                && type.startsWith(EVENT_PREFIX)) {
            return;
        }
        Observation o;
        try {
            o = Observation.of(entry);
        } catch (RuntimeException e) {
            return;
        }
        offer(o);
    }

    /** Offers a finished call to the detectors, read from its record's typed fields; returns at once. */
    @Override
    public void onExchange(ExchangeRecord record) {
        if (closed || !config.enabled()) {
            return;
        }
        offer(Observation.of(record, Instant.now()));
    }

    private void offer(Observation o) {
        if (o == null) {
            return;
        }
        if (queue.offer(o)) {
            accepted.incrementAndGet();
        } else {
            dropped.incrementAndGet();
            if (dropLogged.compareAndSet(false, true)) {
                LOG.warn("anomaly detection is falling behind: its queue (anomaly.queue_size {}) is full, so some records"
                        + " are skipped by the detectors (the audit trail still has them); see dropped count in metrics",
                        config.queueSize());
            }
        }
    }

    /** Entries skipped by detection because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Alerts raised (after de-duplication). */
    public long alertsRaised() {
        return raised.get();
    }

    /** Entries waiting for the detectors. */
    public int queueDepth() {
        return queue.size();
    }

    /**
     * Waits until the start-up history is learned and every entry observed so far has been through the
     * detectors and sinks (tests, shutdown).
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!warmedUp.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        while (processed.get() < accepted.get()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    private void run() {
        try {
            if (config.enabled() && history != HistorySource.NONE) {
                warmUp();
            }
        } finally {
            warmedUp.countDown();
        }
        while (true) {
            Observation entry;
            try {
                entry = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (entry == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (entry == STOP) {
                return;
            }
            try {
                process(entry);
            } catch (RuntimeException e) {
                if (failureLogged.compareAndSet(false, true)) {
                    LOG.error("anomaly detection failed on a record and skipped it (further failures are not logged): {}",
                            e.getClass().getName());
                }
            } finally {
                processed.incrementAndGet();
            }
        }
    }

    private void warmUp() {
        long start = System.nanoTime();
        long[] n = {0};
        replaying = true;
        try {
            history.replay(entry -> {
                if (closed) {
                    throw new java.util.concurrent.CancellationException("closed during start-up learning");
                }
                process(Observation.of(entry));
                n[0]++;
            });
            LOG.info("anomaly detection learned from {} stored audit record(s) in {} ms", n[0],
                    (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("anomaly detection could not learn from the stored audit history after {} record(s) ({});"
                    + " detectors start learning afresh", n[0], e.getClass().getSimpleName());
        } finally {
            replaying = false;
        }
    }

    private void process(Observation o) {
        if (o == null) {
            return;
        }
        for (Detector d : detectors) {
            d.observe(o, this::raise);
        }
    }

    private void raise(Alert alert) {
        if (replaying || !dedup.firstWithinCooldown(alert)) {
            return;
        }
        raised.incrementAndGet();
        for (AlertSink sink : sinks) {
            try {
                sink.deliver(alert);
            } catch (RuntimeException e) {
                LOG.warn("alert sink {} failed: {}", sink.getClass().getSimpleName(), e.getClass().getName());
            }
        }
        if (alert.credentialId() != null && config.suspends(alert.detector())) {
            suspend(alert);
        }
    }

    private void suspend(Alert alert) {
        Instant last = suspended.get(alert.credentialId());
        if (last != null && alert.at().isBefore(last.plus(config.cooldown()))) {
            return;
        }
        suspended.put(alert.credentialId(), alert.at());
        try {
            suspender.suspend(alert.credentialId(), alert);
            LOG.warn("anomaly.suspend_key: suspended virtual key {} after {} on {}", alert.credentialId(), alert.type(),
                    dev.keywarden.log.Redactor.redact(alert.subject()));
        } catch (RuntimeException e) {
            LOG.error("anomaly.suspend_key: suspending virtual key {} failed: {}", alert.credentialId(), e.getClass().getName());
        }
    }

    /** Processes what is queued (up to 10 s), stops the detector thread and closes the sinks. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!queue.offer(STOP, 10, TimeUnit.SECONDS)) {
                worker.interrupt();
            }
            worker.join(10_000);
            if (worker.isAlive()) {
                worker.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AlertSink sink : sinks) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.warn("closing alert sink {} failed: {}", sink.getClass().getSimpleName(), e.getClass().getName());
            }
        }
    }
}
