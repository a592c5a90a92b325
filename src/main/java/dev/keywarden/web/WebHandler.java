package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.auth.Principal;
import dev.keywarden.byok.ByokRefusal;
import dev.keywarden.byok.ByokService;
import dev.keywarden.byok.ByokSession;
import dev.keywarden.gateway.ApiErrors;
import dev.keywarden.pipeline.RequestIds;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.users.SessionService;
import dev.keywarden.users.SignInResult;
import dev.keywarden.users.User;
import dev.keywarden.users.UsersModule;
import dev.keywarden.users.oidc.OidcLogin;
import dev.keywarden.users.oidc.OidcProvider;
import dev.keywarden.users.oidc.OidcRefusedException;
import dev.keywarden.web.SessionGate.Signed;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP entry for people and browsers: everything under {@code /api/}.
 *
 * <pre>
 * POST   /api/session        {"username","password"} → sets the session cookie; {"user","csrf_token","session"}
 * GET    /api/session        who am I: {"user","csrf_token","session"}, 401 when not signed in
 * GET    /api/config         public: {"sign_in":{"local":true,"oidc":{"login_url","issuer","provider_name"}|null}}
 * DELETE /api/session        sign out (session + x-csrf-token + same origin)
 * GET    /api/oidc/login     302 to the identity provider (state, nonce, PKCE kept server-side)
 * GET    /api/oidc/callback  finishes an OIDC sign-in: sets the session cookie, 302 to the return path
 * GET    /api/byok/notice    public: {"enabled","modes","notice"}: the operator's BYOK security notice (docs/byok.md)
 * GET    /api/byok           the user's own key: {"mode","state","fingerprint","created_at","message"} (never the key)
 * POST   /api/byok           {"key","mode","passphrase"?} → 201 the same view (session + x-csrf-token + same origin)
 * POST   /api/byok/unlock    {"passphrase"} → unlocks a sealed key for this session (session + x-csrf-token)
 * DELETE /api/byok           deletes the user's own key in every mode (session + x-csrf-token)
 * </pre>
 *
 * <p>Guarantees: errors use Anthropic's shape with a {@code request-id}; every answer is {@code Cache-Control:
 * no-store}; a state-changing request carrying a session must pass {@link OriginCheck} and carry the session's CSRF
 * token in {@code x-csrf-token}, else 403 {@code permission_error}; the sign-in itself must pass {@link OriginCheck};
 * one answer (401) for every bad username/password; a new session id at every sign-in, and the session presented
 * with a sign-in (if any) ends; passwords, cookies and tokens appear only in the {@code Set-Cookie} header, never in a
 * body, log line or security event; a store or identity-provider failure answers 503 (fail closed).
 */
public final class WebHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(WebHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 * 1024;

    private final UsersModule users;
    private final SessionCookies cookies;
    private final SessionGate gate;
    private final ByokService byok;

    public WebHandler(SessionGate gate, ByokService byok) {
        super(InvocationType.BLOCKING);
        this.users = gate.users();
        this.cookies = gate.cookies();
        this.gate = gate;
        this.byok = byok;
    }

    /** One answer: status, JSON body (or null), extra headers. */
    private record Answer(int status, Object body, Map<String, List<String>> headers) {
        static Answer json(int status, Object body) {
            return new Answer(status, body, Map.of());
        }

        Answer with(String name, String value) {
            Map<String, List<String>> h = new LinkedHashMap<>(headers);
            h.merge(name, List.of(value), (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList());
            return new Answer(status, body, h);
        }
    }

    /** A refusal in Anthropic's error shape. */
    private static final class Refusal extends Exception {
        final int status;
        final ErrorType type;
        final Map<String, String> headers;

        Refusal(int status, ErrorType type, String message, Map<String, String> headers) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.headers = headers;
        }

        Refusal(int status, ErrorType type, String message) {
            this(status, type, message, Map.of());
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String requestId = RequestIds.next();
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("request-id", requestId);
        try {
            Answer answer = route(method, path, request);
            answer.headers().forEach((name, values) -> values.forEach(v -> response.getHeaders().add(name, v)));
            if (answer.body() == null) {
                response.setStatus(answer.status());
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
                response.write(true, ByteBuffer.allocate(0), callback);
            } else {
                byte[] bytes = JSON.writeValueAsBytes(answer.body());
                response.setStatus(answer.status());
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
                response.write(true, ByteBuffer.wrap(bytes), callback);
            }
        } catch (Refusal r) {
            r.headers.forEach((name, value) -> response.getHeaders().add(name, value));
            ApiErrors.write(response, callback, r.status, r.type, r.getMessage(), requestId);
        } catch (OidcProvider.IdpUnavailableException e) {
            ApiErrors.write(response, callback, 503, ErrorType.API, e.getMessage(), requestId);
        } catch (Exception e) {
            LOG.error("request {}: {} {} failed, refusing (fail closed): {}", requestId, method, path, e.getClass().getName());
            ApiErrors.write(response, callback, 503, ErrorType.API, "the gateway cannot serve this request right now; retry shortly",
                    requestId);
        }
        return true;
    }

    private Answer route(String method, String path, Request request) throws Exception {
        switch (path) {
            case "/api/session" -> {
                return switch (method) {
                    case "GET" -> whoAmI(request);
                    case "POST" -> signIn(request);
                    case "DELETE" -> signOut(request);
                    default -> throw notAllowed(method, path, "GET, POST, DELETE");
                };
            }
            case "/api/config" -> {
                if (!method.equals("GET")) {
                    throw notAllowed(method, path, "GET");
                }
                return Answer.json(200, publicConfig());
            }
            case "/api/oidc/login" -> {
                if (!method.equals("GET")) {
                    throw notAllowed(method, path, "GET");
                }
                return oidcStart(request);
            }
            case "/api/oidc/callback" -> {
                if (!method.equals("GET")) {
                    throw notAllowed(method, path, "GET");
                }
                return oidcCallback(request);
            }
            case "/api/byok/notice" -> {
                if (!method.equals("GET")) {
                    throw notAllowed(method, path, "GET");
                }
                return Answer.json(200, byokNotice());
            }
            case "/api/byok" -> {
                return switch (method) {
                    case "GET" -> byokStatus(request);
                    case "POST" -> byokAdd(request);
                    case "DELETE" -> byokDelete(request);
                    default -> throw notAllowed(method, path, "GET, POST, DELETE");
                };
            }
            case "/api/byok/unlock" -> {
                if (!method.equals("POST")) {
                    throw notAllowed(method, path, "POST");
                }
                return byokUnlock(request);
            }
            default -> throw new Refusal(404, ErrorType.NOT_FOUND, "no such endpoint: " + method + " " + clip(path));
        }
    }

    private static Refusal notAllowed(String method, String path, String allowed) {
        return new Refusal(405, ErrorType.INVALID_REQUEST, "method " + method + " is not allowed on " + path + "; use " + allowed,
                Map.of("Allow", allowed));
    }

    /**
     * What a sign-in page needs to know before anyone signs in: which ways to sign in this gateway offers. Public
     * (no session): the identity provider's issuer is public by nature; no client id or secret is shown.
     */
    private Map<String, Object> publicConfig() {
        Map<String, Object> signIn = new LinkedHashMap<>();
        signIn.put("local", true);
        signIn.put("oidc", users.oidc().map(p -> {
            Map<String, Object> oidc = new LinkedHashMap<>();
            oidc.put("login_url", "/api/oidc/login");
            oidc.put("issuer", p.config().issuer().toString());
            oidc.put("provider_name", p.config().issuer().getHost());
            return (Object) oidc;
        }).orElse(null));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sign_in", signIn);
        return out;
    }

    private Answer whoAmI(Request request) throws Refusal {
        String token = cookies.sessionToken(request);
        Signed signed = signedIn(token).orElseThrow(() -> new Refusal(401, ErrorType.AUTHENTICATION, "not signed in"));
        return Answer.json(200, sessionView(signed.user(), signed.session().record(), signed.session().csrfToken()));
    }

    private Answer signIn(Request request) throws Refusal {
        String crossSite = gate.crossSite(request);
        if (crossSite != null) {
            throw new Refusal(403, ErrorType.PERMISSION, crossSite);
        }
        JsonNode body = jsonBody(request);
        String username = text(body, "username");
        JsonNode passwordNode = body.get("password");
        if (username == null || passwordNode == null || !passwordNode.isTextual()) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, "send {\"username\":…,\"password\":…} as JSON");
        }
        char[] password = passwordNode.textValue().toCharArray();
        String address = Request.getRemoteAddr(request);
        SignInResult result;
        try {
            result = users.users().signIn(username, password, address);
        } finally {
            Arrays.fill(password, '\0');
        }
        if (result instanceof SignInResult.Throttled t) {
            throw new Refusal(429, ErrorType.RATE_LIMIT, "too many failed sign-ins; retry after " + t.retryAfterSeconds() + " seconds",
                    Map.of("retry-after", Long.toString(t.retryAfterSeconds())));
        }
        if (result instanceof SignInResult.Refused) {
            throw new Refusal(401, ErrorType.AUTHENTICATION, SignInResult.Refused.MESSAGE);
        }
        User user = ((SignInResult.Success) result).user();
        return startSession(request, user, SessionService.METHOD_PASSWORD, 200, null);
    }

    /** Ends any session the request carried (no fixation), opens a new one and sets its cookie. */
    private Answer startSession(Request request, User user, String method, int status, String redirect) {
        String address = Request.getRemoteAddr(request);
        String previous = cookies.sessionToken(request);
        if (previous != null) {
            users.sessions().signOut(previous, address);
        }
        SessionService.NewSession created = users.sessions().open(user, method, address);
        Answer answer = redirect == null
                ? Answer.json(status, sessionView(user, created.record(), created.csrfToken()))
                : new Answer(302, null, Map.of()).with("Location", redirect);
        return answer.with("Set-Cookie", cookies.session(created.token(), users.sessions().lifetime()));
    }

    private Answer signOut(Request request) throws Refusal {
        String token = cookies.sessionToken(request);
        Signed signed = signedIn(token).orElseThrow(() -> new Refusal(401, ErrorType.AUTHENTICATION, "not signed in"));
        requireCsrf(request, signed);
        users.sessions().signOut(token, Request.getRemoteAddr(request));
        byok.forgetSession(signed.session().record().id()); // a session-only or unlocked key ends with its session
        return Answer.json(200, Map.of("signed_out", true)).with("Set-Cookie", cookies.clearSession());
    }

    /** The CSRF rule of {@link SessionGate#csrfRefusal}: 403 {@code permission_error} unless it passes. */
    private void requireCsrf(Request request, Signed signed) throws Refusal {
        String refusal = gate.csrfRefusal(request, signed);
        if (refusal != null) {
            throw new Refusal(403, ErrorType.PERMISSION, refusal);
        }
    }

    // ------------------------------------------------------------------ bring your own key

    /** Public: the same words for every client, shown before a key is entered. */
    private Map<String, Object> byokNotice() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", byok.policy().enabled());
        out.put("modes", byok.policy().enabled() ? byok.policy().modes() : List.of());
        out.put("notice", byok.policy().notice());
        return out;
    }

    private Answer byokStatus(Request request) throws Refusal {
        String token = cookies.sessionToken(request);
        Signed signed = signedIn(token).orElseThrow(() -> new Refusal(401, ErrorType.AUTHENTICATION, "not signed in"));
        return Answer.json(200, byokView(byok.status(signed.user().id(), byokSession(token, signed))));
    }

    private Answer byokAdd(Request request) throws Refusal {
        String token = cookies.sessionToken(request);
        Signed signed = signedIn(token).orElseThrow(() -> new Refusal(401, ErrorType.AUTHENTICATION, "not signed in"));
        requireCsrf(request, signed);
        JsonNode body = jsonBody(request);
        JsonNode key = body.get("key");
        JsonNode passphrase = body.get("passphrase");
        if (key == null || !key.isTextual()) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, "send {\"key\":…,\"mode\":…} as JSON (and \"passphrase\" for a sealed key)");
        }
        if (passphrase != null && !passphrase.isTextual() && !passphrase.isNull()) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, "\"passphrase\" must be a string");
        }
        char[] pass = passphrase == null || passphrase.isNull() ? null : passphrase.textValue().toCharArray();
        String tier = users.users().principals().current(signed.user().principalId()).map(Principal::tier).orElse(null);
        try {
            return Answer.json(201, byokView(byok.add(signed.user().id(), signed.user().principalId(), tier, key.textValue(),
                    text(body, "mode"), pass, byokSession(token, signed))));
        } catch (ByokRefusal r) {
            throw new Refusal(r.status(), r.type(), r.getMessage());
        } finally {
            if (pass != null) {
                Arrays.fill(pass, '\0');
            }
        }
    }

    private Answer byokUnlock(Request request) throws Refusal {
        String token = cookies.sessionToken(request);
        Signed signed = signedIn(token).orElseThrow(() -> new Refusal(401, ErrorType.AUTHENTICATION, "not signed in"));
        requireCsrf(request, signed);
        JsonNode passphrase = jsonBody(request).get("passphrase");
        if (passphrase == null || !passphrase.isTextual()) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, "send {\"passphrase\":…} as JSON");
        }
        char[] pass = passphrase.textValue().toCharArray();
        try {
            return Answer.json(200, byokView(byok.unlock(signed.user().id(), pass, byokSession(token, signed))));
        } catch (ByokRefusal r) {
            throw new Refusal(r.status(), r.type(), r.getMessage());
        } finally {
            Arrays.fill(pass, '\0');
        }
    }

    private Answer byokDelete(Request request) throws Refusal {
        String token = cookies.sessionToken(request);
        Signed signed = signedIn(token).orElseThrow(() -> new Refusal(401, ErrorType.AUTHENTICATION, "not signed in"));
        requireCsrf(request, signed);
        boolean deleted = byok.delete(signed.user().id(), signed.user().principalId(), byokSession(token, signed));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deleted", deleted);
        out.put("message", deleted ? "your key was deleted from the gateway; revoke it in the Anthropic Console too if you no"
                + " longer use it" : "you had no key of your own");
        return Answer.json(200, out);
    }

    private ByokSession byokSession(String token, Signed signed) {
        return byok.session(token, signed.session().record().id(), signed.user().id(), signed.session().record().expiresAt());
    }

    private static Map<String, Object> byokView(ByokService.Status s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", s.mode());
        out.put("state", s.state());
        out.put("fingerprint", s.fingerprint());
        out.put("created_at", s.createdAt() == null ? null : s.createdAt().toString());
        out.put("message", s.message());
        return out;
    }

    private Answer oidcStart(Request request) throws Refusal {
        OidcLogin login = users.oidcLogin().orElseThrow(() -> new Refusal(404, ErrorType.NOT_FOUND,
                "OpenID Connect sign-in is not configured on this gateway (oidc.issuer)"));
        Fields query = Request.extractQueryParameters(request);
        OidcLogin.Start start = login.start(query.getValue("return_to"));
        return new Answer(302, null, Map.of()).with("Location", start.authorizationUri().toString())
                .with("Set-Cookie", cookies.login(start.state(), OidcLogin.PENDING_TTL));
    }

    private Answer oidcCallback(Request request) throws Refusal {
        OidcLogin login = users.oidcLogin().orElseThrow(() -> new Refusal(404, ErrorType.NOT_FOUND,
                "OpenID Connect sign-in is not configured on this gateway (oidc.issuer)"));
        Fields query = Request.extractQueryParameters(request);
        OidcLogin.Finished finished;
        try {
            finished = login.finish(query.getValue("state"), cookies.loginState(request), query.getValue("code"),
                    query.getValue("error"), Request.getRemoteAddr(request));
        } catch (OidcRefusedException e) {
            throw new Refusal(e.status(), ErrorType.forStatus(e.status()), e.getMessage(), Map.of("Set-Cookie", cookies.clearLogin()));
        }
        return startSession(request, finished.user(), SessionService.METHOD_OIDC, 302, finished.returnTo())
                .with("Set-Cookie", cookies.clearLogin());
    }

    private Optional<Signed> signedIn(String token) {
        return gate.signedIn(token);
    }

    private Map<String, Object> sessionView(User user, dev.keywarden.users.SessionRecord s, String csrf) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("id", user.id());
        u.put("username", user.username());
        u.put("display_name", user.displayName());
        u.put("role", user.role().wireName());
        u.put("principal_id", user.principalId());
        u.put("tier", users.users().principals().current(user.principalId()).map(Principal::tier).orElse(null));
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("id", s.id());
        session.put("method", s.method());
        session.put("expires_at", Instant.ofEpochMilli(s.expiresAt()).toString());
        session.put("idle_timeout_seconds", users.sessions().idleTimeout().toSeconds());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", u);
        out.put("csrf_token", csrf);
        out.put("session", session);
        return out;
    }

    private static JsonNode jsonBody(Request request) throws Refusal {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, "send a JSON body with content-type: application/json");
        }
        if (request.getLength() > MAX_BODY) {
            throw new Refusal(413, ErrorType.REQUEST_TOO_LARGE, "request body is larger than the limit of " + MAX_BODY + " bytes");
        }
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, "the request body could not be read");
        }
        if (bytes.length > MAX_BODY) {
            throw new Refusal(413, ErrorType.REQUEST_TOO_LARGE, "request body is larger than the limit of " + MAX_BODY + " bytes");
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new Refusal(400, ErrorType.INVALID_REQUEST, "the request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, "the request body is not valid JSON");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || !n.isTextual() || n.textValue().isBlank() ? null : n.textValue();
    }

    private static String clip(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }
}
