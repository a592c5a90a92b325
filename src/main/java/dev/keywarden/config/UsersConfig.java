package dev.keywarden.config;

import java.time.Duration;

/**
 * Local accounts and browser sessions ({@code sessions.*}, {@code users.*}).
 *
 * @param sessionIdleTimeout      a session unused this long ends ({@code sessions.idle_timeout}, default 30m)
 * @param sessionLifetime         a session ends this long after sign-in whatever its use ({@code sessions.absolute_lifetime}, default 12h)
 * @param secureCookie            whether the session cookie is {@code __Host-} prefixed and {@code Secure}; false only for
 *                                plain-HTTP loopback development ({@code sessions.secure_cookie})
 * @param loginFailuresPerAccount failed sign-ins for one username within a minute that lock it ({@code users.login_failures_per_account})
 * @param loginFailuresPerAddress failed sign-ins from one client address within a minute that lock it ({@code users.login_failures_per_address})
 * @param loginLockout            how long such a lock holds ({@code users.login_lockout})
 */
public record UsersConfig(Duration sessionIdleTimeout, Duration sessionLifetime, boolean secureCookie,
                          int loginFailuresPerAccount, int loginFailuresPerAddress, Duration loginLockout) {

    public UsersConfig {
        if (sessionIdleTimeout.compareTo(sessionLifetime) > 0) {
            throw new IllegalArgumentException("sessions.idle_timeout must not be longer than sessions.absolute_lifetime");
        }
    }
}
