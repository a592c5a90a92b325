package dev.keywarden.pipeline;

/**
 * The endpoints the gateway serves. Proxied routes are forwarded upstream under the same path;
 * {@code bodyRequired} routes must carry a JSON object body, checked before anything is sent.
 * {@link #TOKENS_CREATE} is authenticated like a proxied route but answered by the gateway itself
 * (a {@link LocalEndpoint}); the health routes need no credential.
 */
public enum Route {
    MESSAGES("messages", true, true),
    COUNT_TOKENS("count_tokens", true, true),
    MODELS_LIST("models.list", true, false),
    MODEL_GET("models.get", true, false),
    BATCH_CREATE("batches.create", true, true),
    BATCH_LIST("batches.list", true, false),
    BATCH_GET("batches.get", true, false),
    BATCH_DELETE("batches.delete", true, false),
    BATCH_CANCEL("batches.cancel", true, false),
    BATCH_RESULTS("batches.results", true, false),
    /** {@code POST /v1/keywarden/tokens}: mint a short-lived token; never forwarded upstream. */
    TOKENS_CREATE("tokens.create", false, false),
    HEALTHZ("healthz", false, false),
    READYZ("readyz", false, false);

    private final String id;
    private final boolean proxied;
    private final boolean bodyRequired;

    Route(String id, boolean proxied, boolean bodyRequired) {
        this.id = id;
        this.proxied = proxied;
        this.bodyRequired = bodyRequired;
    }

    /** Short stable name used in logs, metrics and audit records (e.g. {@code messages}). */
    public String id() {
        return id;
    }

    public boolean proxied() {
        return proxied;
    }

    /** Health and readiness probes: answered without a credential. */
    public boolean health() {
        return this == HEALTHZ || this == READYZ;
    }

    public boolean bodyRequired() {
        return bodyRequired;
    }
}
