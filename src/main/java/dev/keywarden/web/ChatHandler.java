package dev.keywarden.web;

import dev.keywarden.byok.ByokService;
import dev.keywarden.byok.ByokSession;

import dev.keywarden.config.AppsConfig;
import dev.keywarden.gateway.ApiErrors;
import dev.keywarden.pipeline.RequestIds;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.Authenticator;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.HttpSink;
import dev.keywarden.pipeline.Pipeline;
import dev.keywarden.pipeline.Route;
import dev.keywarden.users.oidc.BearerTokenAuthenticator;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/chat}: the backend-for-frontend's chat endpoint, the pipeline's second entry point. A browser (a
 * session cookie plus its CSRF token) or an app holding an identity provider's access token ({@code Authorization:
 * Bearer}, when OIDC is configured) sends only the user's turns ({@link ChatRequest}); the server builds the Messages
 * request from the app's configuration ({@link ChatPrompt}) and runs it through the very {@link Pipeline} that serves
 * {@code /v1/messages}, so every stage applies with the same state: address lockout, credential check (for a bearer
 * token), JSON check, guard input (injection score, secrets), suspension, rate limits, budgets, provider-key choice,
 * forwarding, output guard, record, audit (with the user's principal), metrics and anomaly detection. The answer is
 * the Messages API's own: JSON, or with {@code "stream":true} the SSE stream with its event shapes unchanged.
 *
 * <p>Guarantees: no call without a signed-in session and its CSRF token (401 / 403) or a valid IdP access token
 * (401, counted toward the address lockout like any failed credential); a body with anything but the user's turns,
 * the app, a conversation id and {@code stream} is refused (400) before anything is sent; every refusal is in
 * Anthropic's error shape with a {@code request-id}; the answer is {@code Cache-Control: no-store}; the session
 * token, the CSRF token and the bearer token never travel upstream (only the Messages request the server built,
 * with the headers the proxy would forward).
 */
public final class ChatHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(ChatHandler.class);
    /** The chat endpoint's path. */
    public static final String CHAT = "/api/chat";
    /** Echoed back when the request named a conversation, so a client can match answers to conversations. */
    static final String CONVERSATION_HEADER = "keywarden-conversation-id";

    private final Pipeline pipeline;
    private final SessionGate gate;
    private final AppsConfig apps;
    private final ChatPrompt prompt;
    private final Authenticator bearer;
    private final ByokService byok;

    /**
     * @param tierModels the tiers' model allow-lists ({@code tiers.<name>.models})
     * @param byok       users' own keys: a key held for the caller's session (session-only, or sealed and unlocked)
     *                   serves a session call; null when the gateway has none
     */
    public ChatHandler(Pipeline pipeline, SessionGate gate, AppsConfig apps, Map<String, List<String>> tierModels,
                       ByokService byok) {
        super(InvocationType.BLOCKING);
        this.pipeline = pipeline;
        this.byok = byok;
        this.gate = gate;
        this.apps = apps;
        this.prompt = new ChatPrompt(tierModels);
        this.bearer = gate.users().oidc().isPresent()
                ? gate.users().withBearerTokens(presented -> new AuthOutcome.Rejected("not an identity-provider access token"))
                : null;
    }

    /** Whether this handler serves {@code path}. */
    public static boolean serves(String path) {
        return CHAT.equals(path);
    }

    /** A refusal before the call enters the pipeline. */
    private static final class Refused extends Exception {
        final int status;
        final ErrorType type;

        Refused(int status, ErrorType type, String message) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        String requestId = RequestIds.next();
        try {
            chat(request, response, callback);
        } catch (Refused r) {
            if (r.status == 405) {
                response.getHeaders().put(HttpHeader.ALLOW, "POST");
            }
            ApiErrors.write(response, callback, r.status, r.type, r.getMessage(), requestId);
        } catch (RuntimeException e) {
            LOG.error("request {}: POST {} failed, refusing (fail closed): {}", requestId, CHAT, e.getClass().getName());
            ApiErrors.write(response, callback, 503, ErrorType.API, "the gateway cannot serve this request right now; retry shortly",
                    requestId);
        }
        return true;
    }

    private void chat(Request request, Response response, Callback callback) throws Refused {
        if (!request.getMethod().equals("POST")) {
            throw new Refused(405, ErrorType.INVALID_REQUEST, "method " + request.getMethod() + " is not allowed on " + CHAT
                    + "; use POST");
        }
        HttpFields headers = request.getHeaders();
        if (headers.contains("x-api-key")) {
            throw new Refused(401, ErrorType.AUTHENTICATION, "the chat endpoint takes a browser session or an identity-provider"
                    + " access token, not an API key; programs with a key call POST /v1/messages");
        }
        String authorization = headers.get(HttpHeader.AUTHORIZATION);
        ClientIdentity identity = null;
        String credential = null;
        String userId;
        SessionGate.Signed session = null;
        if (authorization != null) {
            credential = bearerToken(authorization);
            AuthOutcome outcome = bearer.authenticate(credential);
            if (outcome instanceof AuthOutcome.Authenticated a) {
                identity = a.identity();
                userId = identity.credentialId();
            } else {
                userId = null; // the pipeline's credential check refuses it: 401, counted toward the address lockout, audited
            }
        } else {
            SessionGate.Signed signed = gate.signedIn(request).orElseThrow(() -> new Refused(401, ErrorType.AUTHENTICATION,
                    "not signed in: sign in (POST /api/session) or send an identity-provider access token"));
            String csrf = gate.csrfRefusal(request, signed);
            if (csrf != null) {
                throw new Refused(403, ErrorType.PERMISSION, csrf);
            }
            identity = gate.identity(signed).orElseThrow(() -> new Refused(403, ErrorType.PERMISSION,
                    "your account has no principal; ask an operator"));
            userId = signed.user().id();
            session = signed;
        }
        ChatRequest chat;
        try {
            chat = ChatRequest.parse(body(request));
        } catch (ChatRequest.Invalid e) {
            throw new Refused(400, ErrorType.INVALID_REQUEST, e.getMessage());
        }
        AppsConfig.App app = chat.app() == null ? apps.defaultApp() : apps.app(chat.app()).orElseThrow(() -> new Refused(400,
                ErrorType.INVALID_REQUEST, "app: there is no app named " + chat.app() + " on this gateway"));
        byte[] messages = prompt.body(app, identity == null ? null : identity.principalTier(), chat.turns(), chat.stream(), userId);
        if (chat.conversationId() != null) {
            response.getHeaders().put(CONVERSATION_HEADER, chat.conversationId());
        }
        Pipeline.Call call = new Pipeline.Call(Route.MESSAGES, "POST", "/v1/messages", null, upstreamHeaders(headers, chat.stream()),
                Request.getRemoteAddr(request), identity, credential, messages);
        HttpSink sink = new HttpSink(request, response, callback);
        if (byok == null || session == null) {
            pipeline.run(call, sink);
        } else {
            SessionGate.Signed signed = session;
            pipeline.run(call, sink, state -> state.attach(ByokSession.class, byok.session(signed.token(),
                    signed.session().record().id(), signed.user().id(), signed.session().record().expiresAt())));
        }
    }

    private String bearerToken(String authorization) throws Refused {
        if (bearer == null) {
            throw new Refused(401, ErrorType.AUTHENTICATION, "identity-provider access tokens are not accepted here: OpenID Connect"
                    + " is not configured on this gateway; sign in with a session instead");
        }
        String token = authorization.length() > 7 && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : null;
        if (!BearerTokenAuthenticator.looksLikeJwt(token)) {
            throw new Refused(401, ErrorType.AUTHENTICATION, "send an identity-provider access token as Authorization: Bearer"
                    + " (a JWT); virtual keys and short-lived tokens call POST /v1/messages");
        }
        return token;
    }

    /**
     * The headers the call carries into the pipeline: a Messages call's, the browser's user agent and origin, never a
     * cookie, CSRF token or credential.
     */
    private static HttpFields upstreamHeaders(HttpFields browser, boolean stream) {
        HttpFields.Mutable h = HttpFields.build().put("anthropic-version", "2023-06-01")
                .put(HttpHeader.CONTENT_TYPE, "application/json")
                .put(HttpHeader.ACCEPT, stream ? "text/event-stream" : "application/json");
        Optional.ofNullable(browser.get(HttpHeader.USER_AGENT)).ifPresent(ua -> h.put(HttpHeader.USER_AGENT, ua));
        // for the call's record only: the proxy's header allow-list never forwards it
        Optional.ofNullable(browser.get(HttpHeader.ORIGIN)).ifPresent(origin -> h.put(HttpHeader.ORIGIN, origin));
        return h.asImmutable();
    }

    private byte[] body(Request request) throws Refused {
        long max = pipeline.maxBodyBytes();
        if (request.getLength() > max) {
            throw new Refused(413, ErrorType.REQUEST_TOO_LARGE, "request body is larger than the limit of " + max + " bytes");
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new Refused(400, ErrorType.INVALID_REQUEST, "send a JSON body with content-type: application/json");
        }
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        } catch (IOException e) {
            throw new Refused(400, ErrorType.INVALID_REQUEST, "the request body could not be read");
        }
        if (bytes.length > max) {
            throw new Refused(413, ErrorType.REQUEST_TOO_LARGE, "request body is larger than the limit of " + max + " bytes");
        }
        return bytes;
    }
}
