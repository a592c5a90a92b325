package dev.keywarden.users;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.limits.RateLimiter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Failed-sign-in throttling per account and per client address, on the limits package's failure counters
 * ({@link RateLimiter#authFailed}: in Redis with {@code state: redis}, so a lock holds on every instance; this
 * instance's own counters while Redis is unreachable): {@code perAccount} failures for one username, or
 * {@code perAddress} from one address, within a minute lock that username or address for {@code lockout}.
 *
 * <p>Guarantees: a username is counted whether or not it exists (so a lock reveals nothing about which names
 * exist) and appears in the counters only as a SHA-256 prefix; 0 turns a throttle off; each new lock is an alert
 * security event ({@code user.login_lockout}) naming the address or the hashed username, never a password.
 */
public final class LoginThrottle {

    private final RateLimiter limiter;
    private final RateLimiter fallback;
    private final int perAccount;
    private final int perAddress;
    private final long lockoutMillis;
    private final SecurityEvents events;

    public LoginThrottle(RateLimiter limiter, RateLimiter fallback, int perAccount, int perAddress, Duration lockout,
                         SecurityEvents events) {
        this.limiter = limiter;
        this.fallback = fallback;
        this.perAccount = perAccount;
        this.perAddress = perAddress;
        this.lockoutMillis = lockout.toMillis();
        this.events = events;
    }

    /** Seconds until {@code username} and {@code address} may try again; 0 when neither is locked. */
    public long lockedForSeconds(String username, String address) {
        long millis = 0;
        if (perAccount > 0 && username != null) {
            millis = Math.max(millis, lockedMillis(accountKey(username)));
        }
        if (perAddress > 0 && address != null) {
            millis = Math.max(millis, lockedMillis(addressKey(address)));
        }
        return (millis + 999) / 1000;
    }

    /** Counts one failed sign-in for {@code username} from {@code address}. */
    public void failed(String username, String address) {
        if (perAccount > 0 && username != null) {
            count(accountKey(username), perAccount, "account", accountKey(username));
        }
        if (perAddress > 0 && address != null) {
            count(addressKey(address), perAddress, "client_address", address);
        }
    }

    private void count(String key, int threshold, String kind, String subject) {
        boolean wasLocked = lockedMillis(key) > 0;
        try {
            limiter.authFailed(key, threshold, lockoutMillis);
        } catch (RuntimeException e) {
            fallback.authFailed(key, threshold, lockoutMillis);
        }
        if (!wasLocked && lockedMillis(key) > 0) {
            events.record(SecurityEvent.alert("user.login_lockout", subject, Map.of("by", kind,
                    "failures", Integer.toString(threshold), "lockout_seconds", Long.toString(lockoutMillis / 1000))));
        }
    }

    private long lockedMillis(String key) {
        try {
            return limiter.lockedOutMillis(key);
        } catch (RuntimeException e) {
            return fallback.lockedOutMillis(key);
        }
    }

    static String accountKey(String username) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(username.strip().toLowerCase(Locale.ROOT)
                    .getBytes(StandardCharsets.UTF_8));
            return "login-user:" + HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String addressKey(String address) {
        return "login-addr:" + address;
    }
}
