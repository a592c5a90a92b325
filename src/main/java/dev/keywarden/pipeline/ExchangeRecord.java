package dev.keywarden.pipeline;


/**
 * Everything known about one finished client request, handed to {@link ExchangeObserver}s
 * (access log now; audit, limits and metrics later). Holds no secret: the client credential
 * appears only as {@link ClientIdentity}, the provider key only as its fingerprint.
 *
 * @param identity       who called, or null when authentication failed or was not needed
 * @param status         HTTP status sent to the client
 * @param errorType      Anthropic error type sent or relayed (also a mid-stream error event), or null
 * @param upstreamStatus status from upstream, 0 when upstream was not reached
 * @param providerKey    fingerprint of the provider key used, or null
 * @param upstreamNanos  time from sending upstream to the upstream response completing (0 if not sent)
 * @param origin         the client's Origin header, or null
 * @param clientAborted  the client went away before the response was complete
 * @param guard          the guardrails' decisions about the call (never null; empty when none)
 */
public record ExchangeRecord(String requestId, Route route, String method, String path,
                             ClientIdentity identity, RequestSummary request, int status, String errorType,
                             int upstreamStatus, Usage usage, String providerKey,
                             long totalNanos, long upstreamNanos, String clientAddress, String userAgent,
                             String origin, boolean clientAborted, GuardReport guard) {

    /** A record without guard decisions. */
    public ExchangeRecord(String requestId, Route route, String method, String path,
                          ClientIdentity identity, RequestSummary request, int status, String errorType,
                          int upstreamStatus, Usage usage, String providerKey,
                          long totalNanos, long upstreamNanos, String clientAddress, String userAgent,
                          String origin, boolean clientAborted) {
        this(requestId, route, method, path, identity, request, status, errorType, upstreamStatus, usage, providerKey,
                totalNanos, upstreamNanos, clientAddress, userAgent, origin, clientAborted, new GuardReport());
    }
}
