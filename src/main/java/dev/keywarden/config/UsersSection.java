package dev.keywarden.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * {@code sessions.*} and {@code users.*}: browser sessions of local accounts and the throttling of failed
 * sign-ins. Guarantee: the idle timeout is never longer than the lifetime, and the session cookie is
 * {@code Secure} everywhere except plain-HTTP development (never {@code off} in production).
 */
final class UsersSection {

    static final Setting SESSION_IDLE = Setting.of("sessions.idle_timeout", "KEYWARDEN_SESSION_IDLE_TIMEOUT", "30m",
            "a browser session unused this long ends (at least 1m, at most sessions.absolute_lifetime)");
    static final Setting SESSION_LIFETIME = Setting.of("sessions.absolute_lifetime", "KEYWARDEN_SESSION_LIFETIME", "12h",
            "a browser session ends this long after sign-in however it is used (at least 1m)");
    static final Setting SESSION_SECURE_COOKIE = Setting.of("sessions.secure_cookie", "KEYWARDEN_SESSION_SECURE_COOKIE", "auto",
            "auto: the cookie is __Host-kw_session with Secure unless a development gateway listens on loopback only;"
                    + " on: always; off: plain-HTTP development only (refused in production)");
    static final Setting LOGIN_PER_ACCOUNT = Setting.of("users.login_failures_per_account", "KEYWARDEN_LOGIN_FAILURES_PER_ACCOUNT",
            "5", "failed sign-ins for one username within a minute that lock it for users.login_lockout (0 = off)");
    static final Setting LOGIN_PER_ADDRESS = Setting.of("users.login_failures_per_address", "KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS",
            "20", "failed sign-ins from one client address within a minute that lock it for users.login_lockout (0 = off)");
    static final Setting LOGIN_LOCKOUT = Setting.of("users.login_lockout", "KEYWARDEN_LOGIN_LOCKOUT", "5m",
            "how long a locked username or address is refused sign-in (at least 1s)");
    static final List<Setting> SETTINGS = List.of(SESSION_IDLE, SESSION_LIFETIME, SESSION_SECURE_COOKIE, LOGIN_PER_ACCOUNT,
            LOGIN_PER_ADDRESS, LOGIN_LOCKOUT);

    private UsersSection() {
    }

    /**
     * @param listen where the client listener binds (a loopback development gateway may use a plain cookie)
     */
    static UsersConfig parse(Values values, Environment environment, HostPort listen, List<String> notices) {
        Duration idle = values.read(SESSION_IDLE, UsersSection::atLeastOneMinute);
        Duration lifetime = values.read(SESSION_LIFETIME, UsersSection::atLeastOneMinute);
        if (idle.compareTo(lifetime) > 0) {
            throw Values.error(SESSION_IDLE, "must not be longer than " + SESSION_LIFETIME.label() + " (" + lifetime
                    + "); shorten it or lengthen the lifetime");
        }
        String cookie = values.read(SESSION_SECURE_COOKIE, raw -> Values.oneOf(raw, List.of("auto", "on", "off"),
                "must be auto (Secure unless a development gateway listens on loopback only), on or off"));
        if (cookie.equals("off") && environment == Environment.PRODUCTION) {
            throw Values.error(SESSION_SECURE_COOKIE, "off is for plain-HTTP development only; in production serve the gateway"
                    + " over HTTPS (TLS or a TLS proxy) and set it to auto or on");
        }
        boolean loopbackDevelopment = environment == Environment.DEVELOPMENT && isLoopback(listen.host());
        boolean secure = cookie.equals("on") || (cookie.equals("auto") && !loopbackDevelopment);
        if (!secure) {
            notices.add("WARN the session cookie is kw_session without Secure (plain-HTTP "
                    + (cookie.equals("off") ? "development, sessions.secure_cookie: off" : "loopback development")
                    + "); behind HTTPS it is __Host-kw_session with Secure (sessions.secure_cookie: auto outside loopback"
                    + " development, or on)");
        }
        int perAccount = values.read(LOGIN_PER_ACCOUNT, UsersSection::count);
        int perAddress = values.read(LOGIN_PER_ADDRESS, UsersSection::count);
        Duration lockout = values.read(LOGIN_LOCKOUT, raw -> {
            Duration d = Values.duration(raw);
            if (d.toSeconds() < 1) {
                throw new IllegalArgumentException("must be at least 1s");
            }
            return d;
        });
        for (Setting s : List.of(LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS)) {
            if ((s == LOGIN_PER_ACCOUNT ? perAccount : perAddress) == 0) {
                notices.add("WARN failed sign-ins are not throttled per " + (s == LOGIN_PER_ACCOUNT ? "account" : "client address")
                        + " (" + s.path() + ": 0)");
            }
        }
        return new UsersConfig(idle, lifetime, secure, perAccount, perAddress, lockout);
    }

    private static Duration atLeastOneMinute(String raw) {
        Duration d = Values.duration(raw);
        if (d.toSeconds() < 60) {
            throw new IllegalArgumentException("must be at least 1m");
        }
        return d;
    }

    private static int count(String raw) {
        int n;
        try {
            n = Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number (0 turns this throttle off)");
        }
        if (n < 0) {
            throw new IllegalArgumentException("must be 0 or more");
        }
        return n;
    }

    /** A loopback host name or address, decided without a DNS lookup. */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
