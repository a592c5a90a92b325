package dev.keywarden.auth;

/**
 * Who is calling, as established by a verified client credential. Never holds the secret:
 * {@code credentialId} is a stable identifier (a key id) and {@code displayPrefix} the
 * non-secret prefix shown in listings (e.g. {@code kw_AbCd1234}).
 */
public record ClientIdentity(String credentialKind, String credentialId, String displayPrefix, String name) {
}
