package dev.keywarden.web;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.auth.Principal;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.users.SessionService;
import dev.keywarden.users.User;
import dev.keywarden.users.UsersModule;
import org.eclipse.jetty.server.Request;

import java.util.Map;
import java.util.Optional;

/**
 * Who a browser request is, by its session cookie, and whether it may change state: the one place every {@code /api/}
 * endpoint asks (sign-out, the chat endpoint, token minting). Guarantees: a session counts only while it is valid
 * and its user exists and is enabled (otherwise it is revoked on the spot); a state-changing request passes only
 * from this gateway's origin ({@link OriginCheck}) and with the session's CSRF token in {@value #CSRF_HEADER},
 * compared in constant time by {@link SessionService#csrfValid}; every CSRF refusal is a security event naming the
 * address, path and method (never the token).
 */
public final class SessionGate {

    /** The request header carrying the session's CSRF token. */
    public static final String CSRF_HEADER = "x-csrf-token";
    /** {@link ClientIdentity#credentialKind()} of a call made with a browser session. */
    public static final String CREDENTIAL_KIND = "session";

    private final UsersModule users;
    private final SessionCookies cookies;
    private final OriginCheck origins;
    private final SecurityEvents events;

    public SessionGate(UsersModule users, SessionCookies cookies, OriginCheck origins, SecurityEvents events) {
        this.users = users;
        this.cookies = cookies;
        this.origins = origins;
        this.events = events;
    }

    /** A signed-in user, the session and the session token the browser presented. */
    public record Signed(User user, SessionService.ActiveSession session, String token) {
        @Override
        public String toString() {
            return "Signed[user=" + user.id() + ", session=" + session.record().id() + "]";
        }
    }

    UsersModule users() {
        return users;
    }

    SessionCookies cookies() {
        return cookies;
    }

    /** The signed-in user of the request's session cookie, if any. */
    Optional<Signed> signedIn(Request request) {
        return signedIn(cookies.sessionToken(request));
    }

    /** The signed-in user of {@code token}: a valid session whose user exists and is enabled. */
    Optional<Signed> signedIn(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Optional<SessionService.ActiveSession> session = users.sessions().resolve(token);
        if (session.isEmpty()) {
            return Optional.empty();
        }
        Optional<User> user = users.users().find(session.get().record().userId());
        if (user.isEmpty() || user.get().disabled()) {
            users.sessions().revoke(session.get().record().id(), "user_unavailable");
            return Optional.empty();
        }
        return Optional.of(new Signed(user.get(), session.get(), token));
    }

    /** Why {@code request} looks cross-site (a security event is recorded), or null when it does not. */
    String crossSite(Request request) {
        String crossSite = origins.refusal(request);
        if (crossSite != null) {
            recordRefusal(request);
        }
        return crossSite;
    }

    /**
     * The CSRF rule for every state-changing request with a session: same origin, and {@value #CSRF_HEADER} equal to
     * the session's token. Returns why the request is refused (a 403 message; a security event is recorded), or null.
     */
    String csrfRefusal(Request request, Signed signed) {
        String crossSite = crossSite(request);
        if (crossSite != null) {
            return crossSite;
        }
        String presented = request.getHeaders().get(CSRF_HEADER);
        if (presented == null || presented.isBlank()) {
            recordRefusal(request);
            return "missing CSRF token: send the session's csrf_token in the x-csrf-token header";
        }
        if (!users.sessions().csrfValid(signed.token(), presented.strip())) {
            recordRefusal(request);
            return "wrong CSRF token: send this session's csrf_token (GET /api/session) in the x-csrf-token header";
        }
        return null;
    }

    private void recordRefusal(Request request) {
        events.record(SecurityEvent.of("session.csrf_refused", String.valueOf(Request.getRemoteAddr(request)),
                Map.of("path", request.getHttpURI().getPath(), "method", request.getMethod())));
    }

    /**
     * The pipeline identity of a signed-in user: the user's principal (tier, limits, budgets, audit), the session's
     * public id ({@code ses_…}) as the credential id, never the session token. Empty when the user has no principal.
     */
    Optional<ClientIdentity> identity(Signed signed) {
        User u = signed.user();
        return users.users().principals().current(u.principalId()).map((Principal p) -> new ClientIdentity(CREDENTIAL_KIND,
                signed.session().record().id(), "session:" + u.username(), u.username(), p.id(), p.name(), p.kind().wireName(),
                p.tier()));
    }
}
