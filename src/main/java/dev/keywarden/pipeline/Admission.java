package dev.keywarden.pipeline;

import java.util.Map;

/**
 * Admits an authenticated, well-formed call against a quota (rate limits, budgets), after the
 * {@link Preflight}s. Unlike a preflight it holds something for the length of the call: the
 * {@link Ticket} it returns is finished exactly once when the call ends (whatever the outcome), with
 * the call's record (metered and priced usage), before the observers see that record; its headers go
 * on every response to the call (relayed successes and gateway errors alike).
 */
@FunctionalInterface
public interface Admission {

    /** Admits every call and holds nothing. */
    Admission NONE = (identity, request) -> Ticket.NONE;

    /** Returns a ticket to let the call through; throws {@link Refusal} to refuse it. */
    Ticket admit(ClientIdentity identity, RequestSummary request);

    /** What an admitted call holds until it ends. */
    interface Ticket {
        Ticket NONE = new Ticket() {
            @Override
            public Map<String, String> responseHeaders() {
                return Map.of();
            }

            @Override
            public void finish(ExchangeRecord record) {
            }
        };

        /** Header fields for the response (e.g. RateLimit-Policy, RateLimit). */
        Map<String, String> responseHeaders();

        /** The call ended: settle what was charged against {@code record} (must not throw; must be fast). */
        void finish(ExchangeRecord record);
    }
}
