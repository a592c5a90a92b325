package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.auth.token.IssuedToken;
import dev.keywarden.auth.token.TokenRequest;
import dev.keywarden.auth.token.TokenScopes;
import dev.keywarden.auth.token.TokenService;
import dev.keywarden.gateway.ApiErrors;
import dev.keywarden.pipeline.RequestIds;
import dev.keywarden.pipeline.ErrorType;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * {@code POST /api/tokens}: mints a short-lived {@code kw_tmp_} token for the signed-in user, so a page can call
 * {@code /v1/messages} directly (the official SDK in a browser) with a credential that expires in minutes.
 *
 * <p>Body (optional, every field optional): {@code ttl_seconds} (default {@value #DEFAULT_TTL_SECONDS}, at most
 * {@code tokens.max_ttl}), {@code max_uses}, {@code models}, {@code max_tokens}, {@code endpoints} — the fields of
 * {@code POST /v1/keywarden/tokens}, checked by the same {@link TokenRequest} — but not {@code origins}: the token is
 * always bound to the page's origin (the request's {@code Origin}, which the CSRF check has already required to be
 * this gateway or an allowed origin; this gateway's own origin when a non-browser client sends none). Answers 201
 * {@code {"token","id","expires_at","expires_in","max_uses","principal_id", scopes}}.
 *
 * <p>Guarantees: only with a signed-in session, from the same origin, with the session's CSRF token (401 / 403 in
 * Anthropic's shape); minted by the existing {@link TokenService} for the user's principal (same limits and budgets),
 * with the user as issuer, so disabling the user revokes the token; the token appears only in this response, which is
 * {@code Cache-Control: no-store}; minting is a security event ({@code token.issued}, ids only).
 */
public final class PageTokenHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(PageTokenHandler.class);
    /** The endpoint's path. */
    public static final String PATH = "/api/tokens";
    /** Lifetime of a page token that asks for none (or {@code tokens.max_ttl} when shorter): minutes, not hours. */
    static final long DEFAULT_TTL_SECONDS = 300;
    private static final int MAX_BODY = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SessionGate gate;
    private final TokenService tokens;

    public PageTokenHandler(SessionGate gate, TokenService tokens) {
        super(InvocationType.BLOCKING);
        this.gate = gate;
        this.tokens = tokens;
    }

    /** Whether this handler serves {@code path}. */
    public static boolean serves(String path) {
        return PATH.equals(path);
    }

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
        String requestId = RequestIds.next();
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("request-id", requestId);
        try {
            byte[] json = mint(request);
            response.setStatus(201);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
            response.write(true, ByteBuffer.wrap(json), callback);
        } catch (Refused r) {
            if (r.status == 405) {
                response.getHeaders().put(HttpHeader.ALLOW, "POST");
            }
            ApiErrors.write(response, callback, r.status, r.type, r.getMessage(), requestId);
        } catch (RuntimeException e) {
            LOG.error("request {}: POST {} failed, refusing (fail closed): {}", requestId, PATH, e.getClass().getName());
            ApiErrors.write(response, callback, 503, ErrorType.API, "the gateway cannot serve this request right now; retry shortly",
                    requestId);
        }
        return true;
    }

    private byte[] mint(Request request) throws Refused {
        if (!request.getMethod().equals("POST")) {
            throw new Refused(405, ErrorType.INVALID_REQUEST, "method " + request.getMethod() + " is not allowed on " + PATH
                    + "; use POST");
        }
        SessionGate.Signed signed = gate.signedIn(request).orElseThrow(() -> new Refused(401, ErrorType.AUTHENTICATION,
                "not signed in: sign in (POST /api/session) first"));
        String csrf = gate.csrfRefusal(request, signed);
        if (csrf != null) {
            throw new Refused(403, ErrorType.PERMISSION, csrf);
        }
        TokenRequest asked;
        try {
            asked = TokenRequest.parse(withDefaultTtl(body(request)), tokens.policy());
        } catch (TokenRequest.Invalid e) {
            throw new Refused(400, ErrorType.INVALID_REQUEST, e.getMessage());
        }
        TokenScopes s = asked.scopes();
        TokenRequest bound = new TokenRequest(asked.ttl(), asked.maxUses(),
                new TokenScopes(s.models(), s.maxTokens(), s.endpoints(), Set.of(pageOrigin(request))));
        IssuedToken issued = tokens.mintForUser(signed.user().id(), signed.user().principalId(), bound);
        ObjectNode out = JSON.createObjectNode();
        out.put("token", issued.token());
        out.put("id", issued.id());
        out.put("expires_at", issued.expiresAt().toString());
        out.put("expires_in", bound.ttl().toSeconds());
        out.put("max_uses", issued.maxUses());
        out.put("principal_id", issued.principalId());
        out.setAll(issued.scopes().toNode());
        try {
            return JSON.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the token response", e);
        }
    }

    /** The body with {@code ttl_seconds} set to the page default when absent; {@code origins} refused. */
    private byte[] withDefaultTtl(byte[] body) throws Refused {
        JsonNode root;
        try {
            root = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new Refused(400, ErrorType.INVALID_REQUEST, "body: must be a JSON object");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new Refused(400, ErrorType.INVALID_REQUEST, "body: must be a JSON object");
        }
        if (object.has("origins")) {
            throw new Refused(400, ErrorType.INVALID_REQUEST, "origins: a page token is always bound to the page's origin; omit"
                    + " the field");
        }
        if (!object.has("ttl_seconds")) {
            Duration max = tokens.policy().maxTtl();
            object.put("ttl_seconds", Math.min(DEFAULT_TTL_SECONDS, max.toSeconds()));
        }
        try {
            return JSON.writeValueAsBytes(object);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The page's origin: the request's {@code Origin}, else this gateway's own as the request addressed it. */
    static String pageOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !origin.isBlank()) {
            return origin.strip().toLowerCase(Locale.ROOT);
        }
        HttpURI uri = request.getHttpURI();
        String scheme = uri.getScheme() == null ? "http" : uri.getScheme();
        int port = uri.getPort();
        boolean defaultPort = port <= 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return (scheme + "://" + uri.getHost() + (defaultPort ? "" : ":" + port)).toLowerCase(Locale.ROOT);
    }

    private static byte[] body(Request request) throws Refused {
        if (request.getLength() > MAX_BODY) {
            throw new Refused(413, ErrorType.REQUEST_TOO_LARGE, "request body is larger than the limit of " + MAX_BODY + " bytes");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new Refused(413, ErrorType.REQUEST_TOO_LARGE, "request body is larger than the limit of " + MAX_BODY + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new Refused(400, ErrorType.INVALID_REQUEST, "the request body could not be read");
        }
    }
}
