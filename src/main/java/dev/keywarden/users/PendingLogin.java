package dev.keywarden.users;

/**
 * An OIDC sign-in in progress, kept server-side between the redirect to the identity provider and its callback,
 * under the HMAC of its {@code state}. Taken (and so deleted) exactly once.
 *
 * @param codeVerifier the PKCE verifier (the IdP saw only its S256 challenge)
 * @param returnTo     a path on this gateway to send the browser to after sign-in
 */
public record PendingLogin(String stateHash, String nonce, String codeVerifier, String returnTo, long expiresAt) {
}
