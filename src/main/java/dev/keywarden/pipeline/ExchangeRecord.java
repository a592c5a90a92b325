package dev.keywarden.pipeline;

/**
 * Everything known about one finished call, built once by {@link ExchangeState} and handed to every
 * {@link ExchangeObserver} (access log, audit, metrics, anomaly detection) after the admissions'
 * tickets are settled. Immutable, including the guard decisions ({@link GuardReport.Snapshot}). Holds no
 * secret: the client credential appears only as {@link ClientIdentity}, the provider key only as its
 * fingerprint.
 *
 * @param route          the route, or null when the path matched none
 * @param identity       who called, or null when authentication failed or was not needed
 * @param request        what the body said ({@link RequestSummary#EMPTY} when it was not read)
 * @param status         HTTP status sent to the client
 * @param errorType      Anthropic error type sent or relayed (also a mid-stream error event), or null
 * @param upstreamStatus status from upstream, 0 when upstream was not reached
 * @param usage          tokens upstream reported ({@link Usage#EMPTY} when none)
 * @param cost           the call's model and price, by the one rule in {@link Cost}
 * @param providerKey    fingerprint of the provider key used, or null
 * @param totalNanos     time from the request's arrival to its record (just before the response's last bytes)
 * @param upstreamNanos  time from sending upstream to the upstream response completing (0 if not sent)
 * @param origin         the client's Origin header, or null
 * @param clientAborted  the client went away before the response was complete
 * @param guard          the guardrails' decisions about the call (never null; {@link GuardReport.Snapshot#EMPTY} when none)
 * @param byok           the call was served (or meant to be served) with the caller's own key, not the operator's
 * @param authFailure    why the credential was refused, when it was ({@link AuthOutcome.Kind#wireName()}:
 *                       {@code unknown} could be a guess, {@code unusable} is a known credential that may not call
 *                       any more); null when no credential was refused
 */
public record ExchangeRecord(String requestId, Route route, String method, String path,
                             ClientIdentity identity, RequestSummary request, int status, String errorType,
                             int upstreamStatus, Usage usage, Cost cost, String providerKey,
                             long totalNanos, long upstreamNanos, String clientAddress, String userAgent,
                             String origin, boolean clientAborted, GuardReport.Snapshot guard, boolean byok,
                             String authFailure) {

    /** A record of a call whose credential was not refused. */
    public ExchangeRecord(String requestId, Route route, String method, String path,
                          ClientIdentity identity, RequestSummary request, int status, String errorType,
                          int upstreamStatus, Usage usage, Cost cost, String providerKey,
                          long totalNanos, long upstreamNanos, String clientAddress, String userAgent,
                          String origin, boolean clientAborted, GuardReport.Snapshot guard, boolean byok) {
        this(requestId, route, method, path, identity, request, status, errorType, upstreamStatus, usage, cost, providerKey,
                totalNanos, upstreamNanos, clientAddress, userAgent, origin, clientAborted, guard, byok, null);
    }

    /** A record of a call served with the operator's provider key (not BYOK). */
    public ExchangeRecord(String requestId, Route route, String method, String path,
                          ClientIdentity identity, RequestSummary request, int status, String errorType,
                          int upstreamStatus, Usage usage, Cost cost, String providerKey,
                          long totalNanos, long upstreamNanos, String clientAddress, String userAgent,
                          String origin, boolean clientAborted, GuardReport.Snapshot guard) {
        this(requestId, route, method, path, identity, request, status, errorType, upstreamStatus, usage, cost, providerKey,
                totalNanos, upstreamNanos, clientAddress, userAgent, origin, clientAborted, guard, false);
    }

    /** A record without guard decisions whose cost is priced by nothing (unknown). */
    public ExchangeRecord(String requestId, Route route, String method, String path,
                          ClientIdentity identity, RequestSummary request, int status, String errorType,
                          int upstreamStatus, Usage usage, String providerKey,
                          long totalNanos, long upstreamNanos, String clientAddress, String userAgent,
                          String origin, boolean clientAborted) {
        this(requestId, route, method, path, identity, request, status, errorType, upstreamStatus, usage,
                Cost.of(usage, request == null ? null : request.model(), upstreamStatus, Pricing.NONE), providerKey,
                totalNanos, upstreamNanos, clientAddress, userAgent, origin, clientAborted, GuardReport.Snapshot.EMPTY, false, null);
    }

    /** The model the call ran on: the one upstream named, else the one the request asked for; null when neither. */
    public String model() {
        return cost.model();
    }
}
