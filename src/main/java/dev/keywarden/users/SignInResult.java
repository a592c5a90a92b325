package dev.keywarden.users;

/** The answer to a password sign-in: who signed in, or why not (one answer for every kind of bad credential). */
public sealed interface SignInResult {

    /** Username and password matched an enabled account. */
    record Success(User user) implements SignInResult { }

    /**
     * Unknown user, wrong password, disabled account, suspended principal or no password set: the caller answers all
     * of them alike ({@link #MESSAGE}); {@code reason} is for the audit trail only.
     */
    record Refused(String reason) implements SignInResult {
        public static final String MESSAGE = "invalid username or password";
    }

    /** Too many recent failures for this username or this address: try again after {@code retryAfterSeconds}. */
    record Throttled(long retryAfterSeconds) implements SignInResult { }
}
