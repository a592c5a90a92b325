package dev.keywarden.audit.anomaly;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.keywarden.audit.AlertChannel;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.log.Redactor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POSTs every alert as a JSON body to {@code alerts.webhook_url}, signed in the
 * {@link WebhookSignature#HEADER} header, on its own thread: anomaly {@link Alert}s ({@link #deliver}) and,
 * as the {@link AlertChannel} of the {@link dev.keywarden.audit.SecurityEventRouter}, every ALERT-class
 * security event ({@link #send}), in one body shape. A 5xx or 429 answer, a connection error or
 * a timeout is retried after {@code webhook_backoff}, doubling each time, for at most
 * {@code webhook_max_attempts} attempts; other answers end the delivery.
 *
 * <p>Guarantees: {@link #deliver} never blocks the caller (at most {@value #MAX_PENDING} deliveries
 * are in flight; beyond that an alert is not sent to the webhook and this is logged); the secret
 * and the webhook URL's path and query (which may hold a token) never appear in a log line; each
 * attempt is signed with its own timestamp, and the body carries a stable {@code id} so receivers
 * can ignore a retried duplicate; redirects are not followed.
 */
public final class WebhookAlertSink implements AlertSink, AlertChannel {

    static final int MAX_PENDING = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookAlertSink.class);
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final URI url;
    private final String target;
    private final byte[] secret;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient client;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean overflowLogged = new AtomicBoolean();
    private volatile boolean closed;

    private WebhookAlertSink(AnomalyConfig.Webhook config, Clock clock) {
        this.url = config.url();
        this.target = url.getScheme() + "://" + url.getAuthority();
        this.secret = config.secret().reveal().getBytes(StandardCharsets.UTF_8);
        this.maxAttempts = config.maxAttempts();
        this.initialBackoff = config.initialBackoff();
        this.timeout = config.timeout();
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("kw-alert-webhook")
                .daemon(true).unstarted(r));
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .executor(scheduler).build();
    }

    /** A sink for {@code config}; {@code clock} stamps the signature ({@code t=}). */
    public static WebhookAlertSink start(AnomalyConfig.Webhook config, Clock clock) {
        return new WebhookAlertSink(config, clock);
    }

    /** What one delivery sends, and what its log lines name. */
    private record Delivery(String type, String subject, java.time.Instant at, byte[] body) {
    }

    @Override
    public void deliver(Alert alert) {
        enqueue(alert.type(), alert.subject(), alert.at(), () -> body(alert));
    }

    @Override
    public void send(SecurityEvent event) {
        enqueue(event.type(), String.valueOf(event.subject()), event.at(), () -> body(event));
    }

    @Override
    public String target() {
        return target;
    }

    private void enqueue(String type, String subject, java.time.Instant at, java.util.function.Supplier<byte[]> body) {
        if (closed) {
            return;
        }
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            failed.incrementAndGet();
            if (overflowLogged.compareAndSet(false, true)) {
                LOG.warn("alert webhook {}: more than {} alerts waiting for delivery; further alerts are not sent to the"
                        + " webhook until it catches up (they are still logged and in the audit trail)", target, MAX_PENDING);
            }
            return;
        }
        Delivery delivery;
        try {
            delivery = new Delivery(type, subject, at, body.get());
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            failed.incrementAndGet();
            LOG.warn("alert webhook {}: {} not sent ({})", target, type, e.getClass().getSimpleName());
            return;
        }
        try {
            scheduler.execute(() -> attempt(delivery, 1));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending.decrementAndGet();
        }
    }

    /** The JSON body of {@code alert}: id, type, detector, subject, at, credential_id (if any), details. */
    static byte[] body(Alert alert) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", UUID.randomUUID().toString());
        m.put("source", "keywarden");
        m.put("type", alert.type());
        m.put("detector", alert.detector());
        m.put("subject", alert.subject());
        m.put("at", alert.at().toString());
        alert.credential().ifPresent(c -> m.put("credential_id", c));
        m.put("details", alert.details());
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert cannot be encoded as JSON", e);
        }
    }

    /**
     * The JSON body of a security event: id, source, type, subject, at, details (string values passed
     * through the redactor). An {@code anomaly.*} event (an {@link Alert} recorded by
     * {@link AuditTrailAlertSink}) gets the same body as the alert itself: {@code detector},
     * {@code credential_id} and the detection time lifted out of the details.
     */
    static byte[] body(SecurityEvent event) {
        Map<String, String> details = new java.util.TreeMap<>();
        event.details().forEach((k, v) -> details.put(k, Redactor.redact(String.valueOf(v))));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", UUID.randomUUID().toString());
        m.put("source", "keywarden");
        m.put("type", event.type());
        m.put("subject", Redactor.redact(String.valueOf(event.subject())));
        m.put("at", event.at().toString());
        if (event.type().startsWith(AnomalyMonitor.EVENT_PREFIX)) {
            m.put("detector", event.type().substring(AnomalyMonitor.EVENT_PREFIX.length()));
            String credential = details.remove("credential_id");
            if (credential != null) {
                m.put("credential_id", credential);
            }
            String detectedAt = details.remove("detected_at");
            if (detectedAt != null) {
                m.put("at", detectedAt);
            }
        }
        m.put("details", details);
        try {
            return JSON.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("security event cannot be encoded as JSON", e);
        }
    }

    private void attempt(Delivery alert, int attempt) {
        byte[] body = alert.body();
        long t = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "keywarden-alerts")
                .header(WebhookSignature.HEADER, WebhookSignature.header(secret, t, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                if (error == null && response.statusCode() / 100 == 2) {
                    delivered.incrementAndGet();
                    pending.decrementAndGet();
                    return;
                }
                boolean retryable = error != null || response.statusCode() >= 500 || response.statusCode() == 429;
                String why = error != null ? rootName(error) : "HTTP " + response.statusCode();
                if (retryable && attempt < maxAttempts && !closed) {
                    long delay = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
                    try {
                        scheduler.schedule(() -> attempt(alert, attempt + 1), delay, TimeUnit.MILLISECONDS);
                        return;
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // closing: fall through and give up
                    }
                }
                failed.incrementAndGet();
                pending.decrementAndGet();
                LOG.warn("alert webhook {}: {} for {} {} not delivered after {} attempt(s) ({})", target, alert.type(),
                        alert.subject().replaceAll("[\\r\\n]", "_"), alert.at(), attempt, why);
            });
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            pending.decrementAndGet();
            LOG.warn("alert webhook {}: {} not sent ({})", target, alert.type(), e.getClass().getSimpleName());
        }
    }

    private static String rootName(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }

    /** Alerts the receiver acknowledged with a 2xx. */
    public long delivered() {
        return delivered.get();
    }

    /** Alerts given up on (retries exhausted, a non-retryable answer, or too many pending). */
    public long failed() {
        return failed.get();
    }

    /** Waits up to the delivery timeout plus 5 s for deliveries in flight, then stops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        long deadline = System.nanoTime() + timeout.plusSeconds(5).toNanos();
        while (pending.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closed = true;
        if (pending.get() > 0) {
            LOG.warn("alert webhook {}: {} alert(s) still undelivered at shutdown", target, pending.get());
        }
        client.shutdownNow();
        scheduler.shutdownNow();
    }

    @Override
    public String toString() {
        return "WebhookAlertSink[" + target + "]";
    }
}
