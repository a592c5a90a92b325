package dev.keywarden.vault.source;

import java.util.Objects;

/**
 * A secret source could not be parsed or read. The message names the source (its
 * {@link SecretSource#describe() safe label}, or only its scheme when the spec itself was
 * malformed) and says how to fix the problem; it never contains the secret, a token or a
 * credential. {@link #kind()} lets callers choose a status without parsing the message.
 */
public final class SecretSourceException extends RuntimeException {

    /** Why the source failed. */
    public enum Kind {
        /** The spec is malformed, of an unknown scheme, or would carry a secret itself. */
        INVALID_SPEC,
        /** A setting the source needs is missing or refused here (address, credentials, environment). */
        MISCONFIGURED,
        /** The variable, file, secret, version or field does not exist. */
        NOT_FOUND,
        /** The source refused access (permissions, token, credentials). */
        DENIED,
        /** The source answered with something that is not the documented shape, or a value of the wrong type. */
        BAD_RESPONSE,
        /** The source could not be reached or did not answer in time. */
        UNAVAILABLE
    }

    private final Kind kind;

    SecretSourceException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind);
    }

    /** Only for network failures, whose exceptions carry host names but never response content. */
    SecretSourceException(Kind kind, String message, Throwable networkCause) {
        super(message, networkCause);
        this.kind = Objects.requireNonNull(kind);
    }

    public Kind kind() {
        return kind;
    }
}
