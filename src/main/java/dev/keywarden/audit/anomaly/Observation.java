package dev.keywarden.audit.anomaly;

import dev.keywarden.audit.AuditEntry;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.Usage;

import java.time.Instant;
import java.util.Map;

/**
 * What detectors look at. A finished call yields its principal, credential, address, status, tokens
 * and provider key — read from its {@link ExchangeRecord} while serving, from its stored audit entry
 * when learning the history, with the same meaning; a failed admin login ({@code admin.auth_failed}
 * event) or web sign-in ({@code user.sign_in_failed}, {@code oidc.sign_in_failed}) yields an
 * authentication failure from its address. A call refused for a known but unusable credential
 * ({@code auth_failure: unusable}) is not an authentication failure. Other events, including this package's own
 * {@code anomaly.*} alerts, are not observations.
 */
record Observation(Instant at, String principal, String credentialId, String clientAddress, int status,
                   long tokens, String providerKey, boolean knownCredentialRefused) {

    /** {@code auth_failure} of a call whose refused credential was known but unusable (expired, revoked, spent). */
    static final String UNUSABLE = "unusable";

    Observation(Instant at, String principal, String credentialId, String clientAddress, int status, long tokens,
                String providerKey) {
        this(at, principal, credentialId, clientAddress, status, tokens, providerKey, false);
    }

    static final String ADMIN_AUTH_FAILED = "admin.auth_failed";
    /** Failed web sign-ins (users package): subject is the client address, like a failed admin login. */
    static final String USER_SIGN_IN_FAILED = "user.sign_in_failed";
    static final String OIDC_SIGN_IN_FAILED = "oidc.sign_in_failed";

    /** The observation of a finished call, from its record's typed fields (as its audit entry holds them). */
    static Observation of(ExchangeRecord r, Instant at) {
        Usage u = r.usage() == null ? Usage.EMPTY : r.usage();
        long tokens = Math.max(0, u.inputTokens()) + Math.max(0, u.outputTokens()) + Math.max(0, u.cacheCreationInputTokens())
                + Math.max(0, u.cacheReadInputTokens());
        return new Observation(at, r.identity() == null ? null : text(r.identity().name()),
                r.identity() == null ? null : text(r.identity().credentialId()), text(r.clientAddress()), r.status(), tokens,
                text(r.providerKey()), UNUSABLE.equals(r.authFailure()));
    }

    /** The observation in {@code e}, or {@code null} when detectors have nothing to learn from it. */
    static Observation of(AuditEntry e) {
        Map<String, Object> f = e.fields();
        if (AuditEntry.CALL.equals(e.kind())) {
            long tokens = number(f.get("input_tokens")) + number(f.get("output_tokens"))
                    + number(f.get("cache_creation_input_tokens")) + number(f.get("cache_read_input_tokens"));
            return new Observation(e.at(), text(f.get("principal")), text(f.get("credential_id")),
                    text(f.get("client_address")), (int) number(f.get("status")), tokens, text(f.get("provider_key")),
                    UNUSABLE.equals(f.get("auth_failure")));
        }
        if (AuditEntry.EVENT.equals(e.kind()) && (ADMIN_AUTH_FAILED.equals(f.get("type")) || USER_SIGN_IN_FAILED.equals(f.get("type"))
                || OIDC_SIGN_IN_FAILED.equals(f.get("type")))) {
            return new Observation(e.at(), null, null, text(f.get("subject")), 401, 0, null);
        }
        return null;
    }

    /**
     * A failure the auth-failure detector counts: a 403, or a 401 unless the refused credential was a known one that
     * is no longer usable ({@code auth_failure: unusable}: a backend overspending a short-lived token is a stale
     * configuration, not a guess). A 401 without the field (older records) counts.
     */
    boolean authFailure() {
        return status == 403 || (status == 401 && !knownCredentialRefused);
    }

    private static String text(Object o) {
        if (o == null) {
            return null;
        }
        String s = o.toString();
        return s.isBlank() || s.equals("-") ? null : s;
    }

    private static long number(Object o) {
        if (o instanceof Number n) {
            return Math.max(0, n.longValue());
        }
        if (o instanceof String s) {
            try {
                return Math.max(0, Long.parseLong(s.strip()));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }
}
