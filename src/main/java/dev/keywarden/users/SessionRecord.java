package dev.keywarden.users;

/**
 * One stored browser session. Holds no secret: {@code tokenHash} is the HMAC of the id the browser holds, and
 * {@code id} a public handle ({@code ses_…}) for listings and revocation. Times are epoch milliseconds;
 * {@code expiresAt} is the absolute end, the idle timeout runs from {@code lastSeenAt}.
 *
 * @param method how the user signed in: {@code password} or {@code oidc}
 */
public record SessionRecord(String id, String tokenHash, String userId, String method, long createdAt, long lastSeenAt,
                            long expiresAt, String clientAddress) {

    SessionRecord seenAt(long now) {
        return new SessionRecord(id, tokenHash, userId, method, createdAt, now, expiresAt, clientAddress);
    }
}
