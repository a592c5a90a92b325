package dev.keywarden.pipeline;

/**
 * The upstream end of the pipeline for proxied routes, as the composition lists it: choosing the
 * provider key, then (after the credential's use is spent) forwarding the call and relaying the answer
 * through the meter and the output filter. The proxy's HTTP client implements it
 * ({@code gateway.UpstreamForwarding}).
 */
public interface Upstream {

    /** 503 when no provider key can serve the call; records the chosen key ({@link ExchangeState#upstreamKey}). */
    Stage chooseProviderKey();

    /**
     * Forwards the call with the chosen key and relays the answer to the call's sink; successful
     * {@link Route#MESSAGES} output passes through {@code outputFilter}. Takes the call over.
     */
    Stage forward(OutputFilter outputFilter);
}
