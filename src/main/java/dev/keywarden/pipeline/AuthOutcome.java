package dev.keywarden.pipeline;

/** Result of checking a presented client credential: who it is, or why it was refused. */
public sealed interface AuthOutcome {

    /** The credential is valid and active. */
    record Authenticated(ClientIdentity identity) implements AuthOutcome { }

    /**
     * The credential was refused. {@code message} is safe to show to the client: it never
     * contains the presented credential.
     */
    record Rejected(String message) implements AuthOutcome { }
}
