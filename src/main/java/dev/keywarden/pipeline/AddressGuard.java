package dev.keywarden.pipeline;

/**
 * Brute-force protection per client address: consulted before a credential is checked, told about
 * every failed check that could be a guess (a missing, malformed or unknown credential; not a known one
 * that expired, was revoked or is spent: {@link AuthOutcome.Kind}). An address locked out gets 429 {@code rate_limit_error} with
 * {@code retry-after}, whatever credential it sends, so a lockout cannot be used to tell a valid key
 * from an invalid one.
 */
public interface AddressGuard {

    AddressGuard NONE = new AddressGuard() {
        @Override
        public long lockedForSeconds(String address) {
            return 0;
        }

        @Override
        public void failed(String address) {
        }
    };

    /** Seconds this address stays locked out, 0 when it is not. */
    long lockedForSeconds(String address);

    /** A credential presented from this address was refused as unknown ({@link AuthOutcome.Kind#UNKNOWN}). */
    void failed(String address);
}
