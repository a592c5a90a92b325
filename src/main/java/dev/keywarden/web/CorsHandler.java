package dev.keywarden.web;

import dev.keywarden.gateway.ApiErrors;
import dev.keywarden.pipeline.RequestIds;
import dev.keywarden.pipeline.ErrorType;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Applies a {@link CorsPolicy} in front of everything on the client listener ({@code /v1/*}, {@code /api/*}, the UI).
 *
 * <p>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is answered here and
 * never reaches a route: 204 with the allowed origin, methods, headers and {@code Access-Control-Max-Age} when the
 * policy allows it, otherwise 403 {@code permission_error} in Anthropic's error shape with no CORS header (so the
 * browser stops before sending the call). Any other request goes on unchanged; an allowed origin's answer carries
 * {@code Access-Control-Allow-Origin} (and credentials and exposed headers as the policy says), an unlisted origin's
 * answer carries none, so the browser keeps it from the page. When CORS is configured every answer carries
 * {@code Vary: Origin}. A request's own authorization is unchanged: a token bound to origins is still checked
 * against {@code Origin} by the pipeline.
 */
public final class CorsHandler extends Handler.Wrapper {

    private static final Map<String, String> VARY = Map.of("Vary", "Origin");

    private final CorsPolicy policy;

    public CorsHandler(CorsPolicy policy, Handler next) {
        super(next);
        this.policy = policy;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        String requestedMethod = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD);
        if (origin != null && requestedMethod != null && request.getMethod().equals("OPTIONS")) {
            preflight(response, callback, origin, requestedMethod,
                    request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS));
            return true;
        }
        if (!policy.enabled()) {
            return super.handle(request, response, callback);
        }
        Map<String, String> headers = VARY;
        if (origin != null && policy.allows(origin)) {
            headers = new LinkedHashMap<>(VARY);
            headers.putAll(policy.actual(origin));
        }
        return super.handle(request, StampedResponse.of(request, response, headers), callback);
    }

    private void preflight(Response response, Callback callback, String origin, String method, String requestHeaders) {
        CorsPolicy.Preflight decision = policy.preflight(origin, method, requestHeaders);
        response.getHeaders().put("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        String requestId = RequestIds.next();
        response.getHeaders().put("request-id", requestId);
        if (!decision.allowed()) {
            ApiErrors.write(response, callback, 403, ErrorType.PERMISSION, decision.refusal(), requestId);
            return;
        }
        decision.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.setStatus(204);
        response.write(true, BufferUtil.EMPTY_BUFFER, callback);
    }
}
