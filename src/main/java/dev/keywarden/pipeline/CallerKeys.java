package dev.keywarden.pipeline;

import java.util.Optional;

/**
 * The caller's own provider key (bring your own key): a per-principal resolver the pipeline asks
 * before the quotas, so a call whose caller has a usable key of their own is forwarded with it
 * instead of the operator's. Entry points need do nothing for keys kept on the server; a key held
 * only for a browser session is found through what the entry point
 * {@linkplain ExchangeState#attach attached} to the call.
 *
 * <p>Guarantees an implementation gives: it never returns a key of another principal; a returned
 * key {@linkplain UpstreamKey#userSupplied() says it is user-supplied}; when the caller's key is
 * known to be unusable in a way they must fix (upstream rejected it) it throws {@link Refusal} in
 * Anthropic's shape instead of silently using the operator's key.
 */
public interface CallerKeys {

    /** No caller brings a key: every call uses the operator's provider keys. */
    CallerKeys NONE = new CallerKeys() {
        @Override
        public Optional<UpstreamKey> keyFor(ExchangeState call) {
            return Optional.empty();
        }

        @Override
        public boolean countsTowardBudget() {
            return true;
        }
    };

    /** The caller's own key for {@code call}, or empty to use the operator's. */
    Optional<UpstreamKey> keyFor(ExchangeState call);

    /** Whether calls made with a caller's own key are admitted against (and charged to) the tier budgets. */
    boolean countsTowardBudget();
}
