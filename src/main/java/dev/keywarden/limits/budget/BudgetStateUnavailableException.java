package dev.keywarden.limits.budget;

/** The shared budget counters (Redis) or the explicit budgets (the store) cannot be read or written. */
public final class BudgetStateUnavailableException extends RuntimeException {
    public BudgetStateUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
