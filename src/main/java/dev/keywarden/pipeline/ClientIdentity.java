package dev.keywarden.pipeline;

/**
 * Who is calling, as established by a verified client credential. Never holds the secret:
 * {@code credentialId} is a stable identifier (a key id) and {@code displayPrefix} the
 * non-secret prefix shown in listings (e.g. {@code kw_AbCd1234}).
 *
 * <p>The principal fields name the user, team or app the credential belongs to. {@code principalTier}
 * is the tier seen when the credential was checked (it may lag a tier change by the credential cache
 * time); limits read the principal's current tier themselves. All four are null for a credential that
 * belongs to no principal.
 */
public record ClientIdentity(String credentialKind, String credentialId, String displayPrefix, String name,
                             String principalId, String principalName, String principalKind, String principalTier) {

    /** An identity that belongs to no principal. */
    public ClientIdentity(String credentialKind, String credentialId, String displayPrefix, String name) {
        this(credentialKind, credentialId, displayPrefix, name, null, null, null, null);
    }

    /**
     * The subject limits are counted against: the principal id, or the credential id when the
     * credential belongs to no principal.
     */
    public String limitSubject() {
        return principalId != null ? principalId : credentialId;
    }
}
