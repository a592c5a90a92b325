package dev.keywarden.pipeline;

import java.util.Objects;

/** Result of checking a presented client credential: who it is, or why it was refused. */
public sealed interface AuthOutcome {

    /** The credential is valid and active. */
    record Authenticated(ClientIdentity identity) implements AuthOutcome { }

    /**
     * The credential was refused. {@code message} is safe to show to the client: it never
     * contains the presented credential. {@code kind} says whether the refusal counts toward the
     * address lockout ({@link AddressGuard}): only a credential that could be a guess does.
     */
    record Rejected(String message, Kind kind) implements AuthOutcome {

        public Rejected {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(kind, "kind");
        }

        /** A refusal of kind {@link Kind#UNKNOWN}: it counts toward the lockout (the safe default). */
        public Rejected(String message) {
            this(message, Kind.UNKNOWN);
        }

        /** Whether this refusal counts as a failed guess toward the address lockout. */
        public boolean countsTowardLockout() {
            return kind == Kind.UNKNOWN;
        }
    }

    /** Why a credential was refused, as far as brute-force protection is concerned. */
    enum Kind {
        /** Missing, malformed or matching no credential the gateway issued: it could be a guess, so it counts. */
        UNKNOWN,
        /**
         * A credential the gateway issued but will not accept any more: expired, revoked, spent (a
         * short-lived token out of uses) or replaced by a rotation. Presenting it takes knowing it, so it
         * is refused without counting toward the lockout.
         */
        UNUSABLE;

        /** The name in audit records ({@code auth_failure}): {@code unknown} or {@code unusable}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A refusal of a credential the gateway does not know (counts toward the lockout). */
    static Rejected unknown(String message) {
        return new Rejected(message, Kind.UNKNOWN);
    }

    /** A refusal of a credential the gateway issued that is no longer usable (does not count). */
    static Rejected unusable(String message) {
        return new Rejected(message, Kind.UNUSABLE);
    }
}
