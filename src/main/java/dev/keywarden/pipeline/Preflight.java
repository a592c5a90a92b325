package dev.keywarden.pipeline;

/**
 * A check an authenticated, well-formed call must pass before it is forwarded upstream (principal
 * suspension, strict audit availability), listed in the composition with {@link Stages#check}.
 * Runs on the request's virtual thread, so it may block briefly.
 */
@FunctionalInterface
public interface Preflight {

    /** Lets every call through. */
    Preflight NONE = (identity, request) -> { };

    /** Returns to let the call through; throws {@link Refusal} to refuse it with that error. */
    void check(ClientIdentity identity, RequestSummary request);
}
