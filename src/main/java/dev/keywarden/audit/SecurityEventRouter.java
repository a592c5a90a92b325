package dev.keywarden.audit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place every security event of a serving gateway goes through, whichever feature raised it:
 * the log and the audit trail get every event; every ALERT-class event ({@link SecurityEvent#alert()}:
 * provider key compromised, unreadable or rejected, vault sealed or unseal failure, shared state
 * unavailable, budget soft threshold or exhausted, lockouts, anomaly alerts, ...) also leaves the host
 * through the {@link AlertChannel} (the signed, retried webhook) when one is configured; then the
 * observer (anomaly detection) sees the event.
 *
 * <p>Guarantees: {@link #record} never throws and never blocks on the network (the channel queues);
 * a failing recorder does not keep the event from the others; the channel gets an alert at most once
 * per event type and subject per {@code cooldown} (the log and the trail get every one), so a burst
 * of the same alert does not flood the receiver.
 */
public final class SecurityEventRouter implements SecurityEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityEventRouter.class);

    private final List<SecurityEvents> recorders;
    private final Optional<AlertChannel> channel;
    private final Cache<String, Boolean> recentlySent;
    private volatile SecurityEvents observer = e -> { };

    /**
     * @param log      the log (every event)
     * @param trail    the audit trail (every event)
     * @param channel  where alerts leave the host, if configured
     * @param cooldown shortest interval between two deliveries of the same alert type and subject to the channel
     */
    public SecurityEventRouter(SecurityEvents log, SecurityEvents trail, Optional<AlertChannel> channel, Duration cooldown) {
        this.recorders = List.of(Objects.requireNonNull(log, "log"), Objects.requireNonNull(trail, "trail"));
        this.channel = Objects.requireNonNull(channel, "channel");
        if (cooldown.isNegative() || cooldown.isZero()) {
            throw new IllegalArgumentException("alert cool-down must be positive but was " + cooldown);
        }
        this.recentlySent = Caffeine.newBuilder().expireAfterWrite(cooldown).maximumSize(10_000).build();
    }

    /** From now on every event also goes to {@code observer} (anomaly detection), after the log, trail and channel. */
    public void observeWith(SecurityEvents observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public void record(SecurityEvent event) {
        for (SecurityEvents r : recorders) {
            try {
                r.record(event);
            } catch (RuntimeException e) {
                LOG.warn("security event {} not recorded by {}: {}", event.type(), r.getClass().getSimpleName(), e.toString());
            }
        }
        if (event.alert()) {
            channel.ifPresent(c -> {
                if (recentlySent.asMap().putIfAbsent(event.type() + '\u0000' + event.subject(), Boolean.TRUE) == null) {
                    c.send(event);
                }
            });
        }
        try {
            observer.record(event);
        } catch (RuntimeException e) {
            LOG.warn("security event {} not observed: {}", event.type(), e.toString());
        }
    }

    /** Whether ALERT-class events leave the host (a channel is configured), and where: scheme and host only. */
    public Optional<String> alertTarget() {
        return channel.map(AlertChannel::target);
    }

    /** Flushes and closes the channel (bounded wait). */
    @Override
    public void close() {
        channel.ifPresent(AlertChannel::close);
    }
}
