package dev.keywarden.upstream.fake;

import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * Decides the answer to one request: authentication, the {@code anthropic-version} check, a
 * scenario chosen by header, then routing to the endpoint.
 *
 * <p>Guarantee: {@link #answer} never throws for a client mistake; every refusal is an
 * Anthropic-shaped error {@link Reply}. The key is accepted from {@code x-api-key} or
 * {@code Authorization: Bearer} and must be one of the {@link AcceptedKeys} at that moment; the
 * comparison is constant-time ({@link MessageDigest#isEqual} over SHA-256 digests) and no answer
 * ever contains a configured or presented key.
 */
final class FakeApi {

    private static final String MESSAGES = "/v1/messages";
    private static final String COUNT_TOKENS = "/v1/messages/count_tokens";
    private static final String MODELS = "/v1/models";
    private static final String BATCHES = "/v1/messages/batches";
    private static final String BEARER = "Bearer ";

    private final AcceptedKeys keys;
    private final MessagesEndpoint messages;
    private final ModelsEndpoint models = new ModelsEndpoint();
    private final BatchesEndpoint batches;

    FakeApi(AcceptedKeys keys, int tokensPerSecond, Supplier<String> baseUri) {
        this.keys = keys;
        this.messages = new MessagesEndpoint(tokensPerSecond);
        this.batches = new BatchesEndpoint(new BatchStore(), baseUri);
    }

    Reply answer(Call call) {
        try {
            authenticate(call);
            if (call.headers().get("anthropic-version") == null) {
                throw ApiError.invalidRequest("anthropic-version: header is required");
            }
            String scenarioHeader = call.headers().get(Scenario.HEADER);
            Scenario scenario = scenarioHeader == null
                    ? Scenario.NONE
                    : Scenario.parse(scenarioHeader.strip(), "the " + Scenario.HEADER + " header");
            if (scenario.isErrorStatus()) {
                return ScenarioErrors.reply(scenario, call.requestId());
            }
            if (scenario == Scenario.HANG) {
                return new Reply.Hang();
            }
            return route(call, scenario);
        } catch (ApiError e) {
            return Reply.error(e, call.requestId());
        }
    }

    /**
     * Accepts the key as {@code x-api-key} or, as the official SDKs (3.x Java) send it, as
     * {@code Authorization: Bearer}. When {@code x-api-key} is present it alone decides.
     */
    private void authenticate(Call call) {
        String apiKeyHeader = call.headers().get("x-api-key");
        if (apiKeyHeader != null) {
            if (!matches(apiKeyHeader)) {
                throw new ApiError(401, "authentication_error", "invalid x-api-key");
            }
            return;
        }
        String authorization = call.headers().get("authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            if (!matches(authorization.substring(BEARER.length()).strip())) {
                throw new ApiError(401, "authentication_error", "invalid bearer token");
            }
            return;
        }
        throw new ApiError(401, "authentication_error", "x-api-key header is required");
    }

    private boolean matches(String presented) {
        return keys.accepts(presented);
    }

    private Reply route(Call call, Scenario scenario) {
        String path = call.path();
        String method = call.method();
        switch (path) {
            case MESSAGES -> {
                return only("POST", call, () -> messages.create(call, scenario));
            }
            case COUNT_TOKENS -> {
                return only("POST", call, () -> messages.countTokens(call, scenario));
            }
            case MODELS -> {
                return only("GET", call, () -> models.list(call));
            }
            case BATCHES -> {
                if ("POST".equals(method)) {
                    return batches.create(call);
                }
                return only("GET", call, () -> batches.list(call));
            }
            default -> {
                // below
            }
        }
        if (path.startsWith(MODELS + "/")) {
            String id = path.substring(MODELS.length() + 1);
            if (!id.isEmpty() && id.indexOf('/') < 0) {
                return only("GET", call, () -> models.get(id));
            }
        }
        if (path.startsWith(BATCHES + "/")) {
            String[] rest = path.substring(BATCHES.length() + 1).split("/", -1);
            String id = rest[0];
            if (!id.isEmpty() && rest.length == 1) {
                if ("DELETE".equals(method)) {
                    return batches.delete(id);
                }
                return only("GET", call, () -> batches.get(id));
            }
            if (!id.isEmpty() && rest.length == 2 && "cancel".equals(rest[1])) {
                return only("POST", call, () -> batches.cancel(id));
            }
            if (!id.isEmpty() && rest.length == 2 && "results".equals(rest[1])) {
                return only("GET", call, () -> batches.results(id));
            }
        }
        throw ApiError.notFound("Not Found");
    }

    private static Reply only(String method, Call call, Supplier<Reply> endpoint) {
        if (!method.equals(call.method())) {
            throw new ApiError(405, "invalid_request_error",
                    "Method " + call.method() + " is not allowed here; use " + method);
        }
        return endpoint.get();
    }
}
