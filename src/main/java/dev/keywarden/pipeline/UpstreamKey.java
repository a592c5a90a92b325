package dev.keywarden.pipeline;

/**
 * The provider credential chosen to serve a call upstream (a provider key), as the pipeline sees it:
 * only its fingerprint, which goes into the {@link ExchangeRecord}, and whether the caller brought it
 * (BYOK). The stage that forwards the call knows the concrete type.
 */
public interface UpstreamKey {

    /** A fingerprint that never reveals the secret, e.g. {@code sk-ant-api03-…AbCd}. */
    String fingerprint();

    /**
     * True for the caller's own Anthropic key (bring your own key, {@link CallerKeys}); false for the
     * operator's provider keys. The call's record says so ({@link ExchangeRecord#byok()}).
     */
    default boolean userSupplied() {
        return false;
    }
}
