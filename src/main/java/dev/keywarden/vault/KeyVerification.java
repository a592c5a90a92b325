package dev.keywarden.vault;

/**
 * What upstream said about a provider key: {@link Valid}, {@link Rejected} (the key is not usable)
 * or {@link Unverifiable} (no verdict: upstream down, overloaded, unreachable). None of them holds
 * the key or upstream's message text, only status and error type.
 */
public sealed interface KeyVerification {

    /** Upstream accepted the key. */
    record Valid() implements KeyVerification {
    }

    /** Upstream refused the key: {@code status} 401 or 403, with Anthropic's {@code error.type} when given. */
    record Rejected(int status, String errorType) implements KeyVerification {
    }

    /** No verdict; {@code reason} says why (status and error type, or the connection failure). */
    record Unverifiable(String reason) implements KeyVerification {
    }
}
