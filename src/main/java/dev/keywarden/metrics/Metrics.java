package dev.keywarden.metrics;

import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.pipeline.Preflight;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * The gateway's Prometheus metrics (names prefixed {@code keywarden_}), scraped as text from
 * {@code GET /metrics} on the admin listener.
 *
 * <p>Guarantees: no metric label ever holds a key, a credential, a principal, a request id or a
 * client address; every label has bounded cardinality (route ids, status codes, error types, and at
 * most {@value #MAX_MODELS} model names — anything else is {@code other}). Recording never throws
 * into the request path.
 *
 * <p>Wiring (one place, e.g. {@code GatewayApp.start}):
 * <pre>{@code
 * Metrics metrics = new Metrics();
 * parts.metrics(metrics.streamTracker(), metrics.exchangeObserver());   // PipelineComposition.Parts
 * metrics.auditQueue(trail::queueDepth);
 * vault.ifPresent(v -> metrics.keysOverdue(() -> v.overdue().size()));
 * MetricsAdmin.register(routes, metrics);   // admin package: GET /metrics, admin token required
 * // audit writer, after each committed batch: metrics.recordAuditWrite(elapsed)
 * }</pre>
 */
public final class Metrics {

    /** The content type of {@link #scrape()}: Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final int MAX_MODELS = 100;
    private static final Duration OVERDUE_CACHE = Duration.ofSeconds(60);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final BoundedLabel models = new BoundedLabel(MAX_MODELS);
    private final ExchangeMetrics exchanges = new ExchangeMetrics(registry, models);
    private final Timer auditWrites = Timer.builder("keywarden.audit.write.duration")
            .description("Time to commit one batch of audit records to the store")
            .publishPercentileHistogram().register(registry);

    /** The per-call observer: counts, latencies, tokens, cost (from the record's priced usage), refusals, upstream errors. */
    public ExchangeObserver exchangeObserver() {
        return exchanges;
    }

    /**
     * The pipeline preflight that never refuses; marks a streaming call
     * as active until its exchange is reported to {@link #exchangeObserver()} (register both).
     */
    public Preflight streamTracker() {
        return exchanges;
    }

    /** Exposes {@code keywarden_audit_queue_depth}: entries waiting for the audit writer. */
    public Metrics auditQueue(IntSupplier depth) {
        Objects.requireNonNull(depth, "depth");
        Gauge.builder("keywarden.audit.queue.depth", () -> depth.getAsInt())
                .description("Audit entries waiting to be written").register(registry);
        return this;
    }

    /** Hook for the audit writer: one committed batch took {@code elapsed}. */
    public void recordAuditWrite(Duration elapsed) {
        auditWrites.record(elapsed);
    }

    /**
     * Exposes {@code keywarden_provider_keys_overdue}: active provider keys past their rotation
     * policy. {@code overdue} is asked at most once a minute (it may read the store).
     */
    public Metrics keysOverdue(IntSupplier overdue) {
        Objects.requireNonNull(overdue, "overdue");
        CachedInt cached = new CachedInt(overdue, OVERDUE_CACHE);
        Gauge.builder("keywarden.provider.keys.overdue", cached::get)
                .description("Active provider keys past their rotation policy").register(registry);
        return this;
    }

    /**
     * Exposes {@code keywarden_vault_sealed} (1 while sealed) and {@code keywarden_provider_keys_usable}
     * (active keys that open right now; 0 while sealed). Both are read at scrape time.
     */
    public Metrics vault(java.util.function.BooleanSupplier sealed, IntSupplier usable) {
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(usable, "usable");
        Gauge.builder("keywarden.vault.sealed", () -> sealed.getAsBoolean() ? 1 : 0)
                .description("1 while the provider-key vault is sealed, else 0").register(registry);
        Gauge.builder("keywarden.provider.keys.usable", () -> usable.getAsInt())
                .description("Active provider keys this instance can open right now").register(registry);
        return this;
    }

    /**
     * Exposes {@code keywarden_state_up{backend}}: 1 while the state backend ({@code sqlite},
     * {@code postgres}, {@code redis}) answers its health check at scrape time, else 0.
     */
    public Metrics stateUp(String backend, java.util.function.BooleanSupplier up) {
        Objects.requireNonNull(up, "up");
        Gauge.builder("keywarden.state.up", () -> {
            try {
                return up.getAsBoolean() ? 1 : 0;
            } catch (RuntimeException e) {
                return 0;
            }
        }).tag("backend", backend).description("1 while the state backend answers, else 0").register(registry);
        return this;
    }

    /**
     * A call on {@code model} cost {@code usd} ({@code keywarden_cost_usd_total}). The exchange observer
     * records every priced call from its record already; this is for costs that reach the gateway otherwise.
     */
    public void recordCost(String model, double usd) {
        exchanges.cost(models.of(model), usd);
    }

    /** Every metric in the Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }

    /** The underlying registry, for features that add their own meters (names must start with {@code keywarden.}). */
    public MeterRegistry registry() {
        return registry;
    }

    /** An int read through at most once per {@code ttl}; a failing read keeps the last value. */
    private static final class CachedInt {
        private final IntSupplier source;
        private final long ttlNanos;
        private long readAt;
        private boolean read;
        private double value;

        CachedInt(IntSupplier source, Duration ttl) {
            this.source = source;
            this.ttlNanos = ttl.toNanos();
        }

        synchronized double get() {
            long now = System.nanoTime();
            if (!read || now - readAt >= ttlNanos) {
                try {
                    value = source.getAsInt();
                } catch (RuntimeException e) {
                    // keep the previous value; the store's own health check reports the failure
                }
                read = true;
                readAt = now;
            }
            return value;
        }
    }
}
