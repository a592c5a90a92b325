package dev.keywarden.app;

import dev.keywarden.audit.AlertChannel;
import dev.keywarden.audit.AuditEntry;
import dev.keywarden.audit.AuditObserver;
import dev.keywarden.audit.AuditSink;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.audit.JsonLinesSink;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.audit.SecurityEventRouter;
import dev.keywarden.audit.anomaly.AnomalyMonitor;
import dev.keywarden.audit.anomaly.HistorySource;
import dev.keywarden.audit.anomaly.KeySuspender;
import dev.keywarden.audit.anomaly.WebhookAlertSink;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.pipeline.ExchangeObserver;
import dev.keywarden.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The audit side of a serving gateway: the trail (chain {@code main} of the embedded store, mirrored
 * as JSON lines when configured), anomaly detection over calls and security events, and the
 * {@link SecurityEventRouter} every other feature records security events into (log, trail, the alert
 * webhook for ALERT-class events, detectors).
 */
final class AuditWiring {

    private static final Logger LOG = LoggerFactory.getLogger(AuditWiring.class);

    private final AuditTrail trail;
    private final AuditObserver observer;
    private final SecurityEventRouter router;
    private Optional<AnomalyMonitor> anomalies = Optional.empty();

    private AuditWiring(AuditTrail trail, SecurityEventRouter router) {
        this.trail = trail;
        this.observer = new AuditObserver(trail);
        this.router = router;
    }

    /** Starts the trail; it is closed with {@code resources}. */
    static AuditWiring start(KeywardenConfig config, Database db, ServerSecret secret, List<AutoCloseable> resources) {
        List<AuditSink> mirrors = new ArrayList<>();
        config.audit().mirror().ifPresent(target -> {
            try {
                mirrors.add(JsonLinesSink.open(target));
            } catch (java.io.UncheckedIOException e) {
                throw new ConfigException(e.getMessage() + "; set audit.mirror (KEYWARDEN_AUDIT_MIRROR) to a writable file, stdout or off");
            }
        });
        AuditTrail.Options options = new AuditTrail.Options(config.audit().strict(), config.audit().queueSize(), 500, 1_000,
                Duration.ofSeconds(5));
        // one chain per writer: with a shared PostgreSQL store every instance (and every restart) starts a
        // chain of its own, so instances never race for the same record numbers
        String chain = config.shared().postgres()
                ? "gw-" + Instant.now().toEpochMilli() + "-" + Long.toHexString(new SecureRandom().nextLong())
                : "main";
        AuditTrail trail = AuditTrail.start(new AuditStore(db), secret, chain, options, mirrors, config.dataDir());
        resources.add(trail);
        Optional<AlertChannel> webhook = config.anomaly().webhook().map(w -> WebhookAlertSink.start(w, Clock.systemUTC()));
        SecurityEventRouter router = new SecurityEventRouter(new LoggingSecurityEvents(), trail, webhook,
                config.anomaly().cooldown());
        resources.add(router); // closed before the trail: pending webhook deliveries are flushed first
        router.alertTarget().ifPresentOrElse(t -> LOG.info("ALERT security events and anomaly alerts go to the webhook at {}", t),
                () -> LOG.info("no alert webhook (alerts.webhook_url): ALERT security events stay in the log and the audit trail"));
        return new AuditWiring(trail, router);
    }

    /**
     * Anomaly detection over the live stream of calls and security events, learning first from the
     * stored trail; alerts go to the log, the audit trail and the configured webhook. The optional
     * suspend action revokes the virtual key named by an alert.
     */
    void startAnomalyDetection(KeywardenConfig config, Database db, VirtualKeyService keys, List<AutoCloseable> resources) {
        AnomalyConfig settings = config.anomaly();
        if (!settings.enabled()) {
            LOG.info("anomaly detection disabled (anomaly.enabled: false)");
            return;
        }
        KeySuspender suspender = (credentialId, alert) -> {
            if (keys.revoke(credentialId)) {
                LOG.warn("anomaly {}: revoked virtual key {} (anomaly.suspend_key is on)", alert.type(), credentialId);
            }
        };
        AnomalyMonitor monitor = AnomalyMonitor.start(settings, AnomalyMonitor.standardSinks(router),
                suspender, HistorySource.fromStore(new AuditStore(db), Instant.now().minus(settings.warmUp())));
        resources.add(monitor);
        anomalies = Optional.of(monitor);
        router.observeWith(e -> monitor.observe(AuditEntry.of(e)));
    }

    AuditTrail trail() {
        return trail;
    }

    /** The strict-audit preflight and the per-call recorder. */
    AuditObserver observer() {
        return observer;
    }

    /** Anomaly detection's view of calls, or a no-op when it is off. */
    ExchangeObserver anomalyObserver() {
        return anomalies.<ExchangeObserver>map(m -> m).orElse(ExchangeObserver.NONE);
    }

    /**
     * The router every producer of security events records into: the log and the trail get every event,
     * the alert webhook every ALERT-class one, and (once started) the detectors see them.
     */
    SecurityEventRouter events() {
        return router;
    }
}
