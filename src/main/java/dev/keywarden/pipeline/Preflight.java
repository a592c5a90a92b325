package dev.keywarden.pipeline;


/**
 * A check an authenticated, well-formed call must pass before it is forwarded upstream (strict
 * audit availability; later rate limits and budgets). Runs on the request's virtual thread, so it
 * may block briefly.
 */
@FunctionalInterface
public interface Preflight {

    /** Returns to let the call through; throws {@link Refusal} to refuse it with that error. */
    void check(ClientIdentity identity, RequestSummary request);
}
