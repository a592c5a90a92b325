package dev.keywarden.limits;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.pipeline.AddressGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Brute-force protection: {@code threshold} failed credential checks from one client address within a
 * minute lock that address out for {@code lockout} (429 with {@code retry-after}). Other addresses are
 * unaffected. Each lockout is an alert security event ({@code auth.lockout}, subject the address). State lives in the {@link RateLimiter} (Redis in shared mode, so a lockout holds on every
 * instance); when Redis cannot be reached the check falls back to this instance's own counters.
 */
public final class AddressLockout implements AddressGuard {

    private static final Logger LOG = LoggerFactory.getLogger(AddressLockout.class);

    private final RateLimiter limiter;
    private final RateLimiter fallback;
    private final int threshold;
    private final long lockoutMillis;
    private final SecurityEvents events;

    public AddressLockout(RateLimiter limiter, RateLimiter fallback, int threshold, Duration lockout) {
        this(limiter, fallback, threshold, lockout, e -> { });
    }

    public AddressLockout(RateLimiter limiter, RateLimiter fallback, int threshold, Duration lockout, SecurityEvents events) {
        this.events = events;
        this.limiter = limiter;
        this.fallback = fallback;
        this.threshold = threshold;
        this.lockoutMillis = lockout.toMillis();
    }

    @Override
    public long lockedForSeconds(String address) {
        if (threshold <= 0 || address == null) {
            return 0;
        }
        long millis;
        try {
            millis = limiter.lockedOutMillis(address);
        } catch (RuntimeException e) {
            millis = fallback.lockedOutMillis(address);
        }
        return RateLimitHeaders.seconds(millis);
    }

    @Override
    public void failed(String address) {
        if (threshold <= 0 || address == null) {
            return;
        }
        try {
            limiter.authFailed(address, threshold, lockoutMillis);
        } catch (RuntimeException e) {
            fallback.authFailed(address, threshold, lockoutMillis);
        }
        if (lockedForSeconds(address) > 0) {
            LOG.warn("client address {} locked out for {} after {} failed authentications within a minute", address,
                    Duration.ofMillis(lockoutMillis), threshold);
            events.record(SecurityEvent.alert("auth.lockout", address, java.util.Map.of("failures", Integer.toString(threshold),
                    "lockout_seconds", Long.toString(lockoutMillis / 1000))));
        }
    }
}
