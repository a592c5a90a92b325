package dev.keywarden.limits;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.SharedConfig;
import dev.keywarden.config.TierLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis limiter with the behaviour {@code redis.on_failure} asks for while Redis is unreachable:
 * {@code fail-closed} lets {@link LimiterUnavailableException} through (the gate answers 503
 * {@code api_error}); {@code local-fallback} decides in this process with every limit divided by
 * {@code cluster.instances}, logging an ALERT when the outage starts and a notice when Redis is back.
 * A request is settled on the limiter that admitted it, so nothing is released twice.
 */
public final class FailoverRateLimiter implements RateLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverRateLimiter.class);

    private final RateLimiter shared;
    private final RateLimiter local;
    private final boolean fallback;
    private final int instances;
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final SecurityEvents events;

    public FailoverRateLimiter(RateLimiter shared, RateLimiter local, SharedConfig.OnRedisFailure onFailure, int instances) {
        this(shared, local, onFailure, instances, e -> { });
    }

    /** As above; the start of an outage is also an alert security event ({@code rate_limits.shared_state_unavailable}). */
    public FailoverRateLimiter(RateLimiter shared, RateLimiter local, SharedConfig.OnRedisFailure onFailure, int instances,
                               SecurityEvents events) {
        this.events = events;
        this.shared = shared;
        this.local = local;
        this.fallback = onFailure == SharedConfig.OnRedisFailure.LOCAL_FALLBACK;
        this.instances = Math.max(1, instances);
    }

    @Override
    public Decision acquire(String subject, TierLimits limits, long inputEstimate, long outputEstimate) {
        try {
            Decision d = shared.acquire(subject, limits, inputEstimate, outputEstimate);
            if (degraded.compareAndSet(true, false)) {
                LOG.warn("rate limits: Redis reachable again; shared limits are back in force");
            }
            return d;
        } catch (LimiterUnavailableException e) {
            if (degraded.compareAndSet(false, true)) {
                LOG.error("ALERT rate limits: {}; {}", e.getMessage(), fallback
                        ? "falling back to per-instance limits divided by cluster.instances (" + instances + ")"
                        : "refusing requests with 503 until it is back (redis.on_failure: fail-closed)");
                events.record(SecurityEvent.alert("rate_limits.shared_state_unavailable", "redis", java.util.Map.of(
                        "on_failure", fallback ? "local-fallback" : "fail-closed", "instances", Integer.toString(instances))));
            }
            if (!fallback) {
                throw e;
            }
            return local.acquire(subject, limits.dividedBy(instances), inputEstimate, outputEstimate).asFallback();
        }
    }

    @Override
    public void settle(String subject, TierLimits limits, Decision admitted, long inputRefund, long outputRefund) {
        if (admitted.fallback()) {
            local.settle(subject, limits.dividedBy(instances), admitted, inputRefund, outputRefund);
        } else {
            shared.settle(subject, limits, admitted, inputRefund, outputRefund);
        }
    }

    @Override
    public TierLimits effectiveLimits(TierLimits limits, Decision decision) {
        return decision.fallback() ? limits.dividedBy(instances) : limits;
    }

    @Override
    public long lockedOutMillis(String address) {
        try {
            return shared.lockedOutMillis(address);
        } catch (LimiterUnavailableException e) {
            return local.lockedOutMillis(address);
        }
    }

    @Override
    public void authFailed(String address, int threshold, long lockoutMillis) {
        try {
            shared.authFailed(address, threshold, lockoutMillis);
        } catch (LimiterUnavailableException e) {
            local.authFailed(address, threshold, lockoutMillis);
        }
    }
}
