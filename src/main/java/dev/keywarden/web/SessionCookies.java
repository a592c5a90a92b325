package dev.keywarden.web;

import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Request;

import java.time.Duration;

/**
 * The two cookies the web entry sets, and how they are read back.
 *
 * <p>The session cookie is {@code __Host-kw_session}: {@code Secure} (only over HTTPS), {@code HttpOnly} (no script
 * reads it), {@code Path=/} with no {@code Domain} (the {@code __Host-} prefix makes browsers enforce both, so a
 * sibling sub-domain cannot set or shadow it), and {@code SameSite=Strict}: browsers never attach it to a request
 * started by another site, not even a top-level link, which a single-page UI does not need (its own {@code fetch}
 * calls are same-site) and which keeps cross-site requests unauthenticated before the CSRF check is even reached.
 * The OIDC sign-in cookie ({@code __Host-kw_oidc}, 10 minutes) is {@code SameSite=Lax}, because the identity
 * provider's redirect back is a cross-site top-level navigation that must carry it.
 *
 * <p>In plain-HTTP loopback development ({@code sessions.secure_cookie} resolved to false, said at start-up) the
 * names lose the {@code __Host-} prefix and the {@code Secure} flag, which browsers would otherwise refuse over HTTP.
 */
public final class SessionCookies {

    private final boolean secure;
    private final String sessionName;
    private final String loginName;

    public SessionCookies(boolean secure) {
        this.secure = secure;
        this.sessionName = secure ? "__Host-kw_session" : "kw_session";
        this.loginName = secure ? "__Host-kw_oidc" : "kw_oidc";
    }

    public String sessionName() {
        return sessionName;
    }

    public String loginName() {
        return loginName;
    }

    /** {@code Set-Cookie} value for a new session. */
    String session(String token, Duration maxAge) {
        return cookie(sessionName, token, maxAge.toSeconds(), "Strict");
    }

    /** {@code Set-Cookie} value that deletes the session cookie. */
    String clearSession() {
        return cookie(sessionName, "", 0, "Strict");
    }

    String login(String state, Duration maxAge) {
        return cookie(loginName, state, maxAge.toSeconds(), "Lax");
    }

    String clearLogin() {
        return cookie(loginName, "", 0, "Lax");
    }

    private String cookie(String name, String value, long maxAge, String sameSite) {
        return name + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly" + (secure ? "; Secure" : "") + "; SameSite=" + sameSite;
    }

    /** The session cookie's value, or null (also when several differ: ambiguous cookies are not guessed at). */
    String sessionToken(Request request) {
        return value(request, sessionName);
    }

    String loginState(Request request) {
        return value(request, loginName);
    }

    private static String value(Request request, String name) {
        String found = null;
        for (HttpCookie c : Request.getCookies(request)) {
            if (c.getName().equals(name)) {
                if (found != null && !found.equals(c.getValue())) {
                    return null;
                }
                found = c.getValue();
            }
        }
        return found == null || found.isEmpty() ? null : found;
    }
}
