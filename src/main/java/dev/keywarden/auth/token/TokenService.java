package dev.keywarden.auth.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.TokensConfig;
import dev.keywarden.store.Database;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Mints, authenticates, spends and revokes short-lived tokens ({@code kw_tmp_…}).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>a token's plaintext exists only in the {@link IssuedToken} returned by {@link #mint}; the store
 *       holds its HMAC-SHA-256 under the {@link ServerSecret}, compared in constant time;</li>
 *   <li>validity (expiry, uses, revocation of the token or of the virtual key that issued it) is read
 *       from the store on every {@link #authenticate} — nothing about validity is cached, so a revocation
 *       made by any process sharing the database applies to the next request; only the immutable
 *       scopes are cached;</li>
 *   <li>{@link #spend} is one conditional {@code UPDATE}: across any number of processes sharing the
 *       database, a token is admitted at most {@code max_uses} times;</li>
 *   <li>a refusal says which: expired, exhausted or revoked — never echoing the presented value;</li>
 *   <li>issuing and revoking are recorded as security events (ids only, never the token);</li>
 *   <li>store failures surface as {@link dev.keywarden.store.StoreException}; callers fail closed.</li>
 * </ul>
 */
public final class TokenService {

    /** {@link ClientIdentity#credentialKind()} of a call made with a token. */
    public static final String CREDENTIAL_KIND = "token";
    /** Only this kind of credential may mint tokens. */
    public static final String ISSUER_KIND = "virtual_key";

    static final String INVALID_MESSAGE = "invalid token";
    static final String REVOKED_MESSAGE = "this token was revoked";
    static final String ISSUER_REVOKED_MESSAGE = "this token was revoked: the virtual key that issued it was revoked";
    static final String USER_GONE_MESSAGE = "this token was revoked: the user it was issued to was disabled or deleted";
    /** Prefix of user ids ({@code users.id}): the issuer of a token minted by a signed-in user. */
    private static final String USER_ID_PREFIX = "usr_";

    private static final String ID_PREFIX = "tok_";
    private static final int ID_RANDOM_LENGTH = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final TokenStore store;
    private final ServerSecret secret;
    private final PrincipalService principals;
    private final TokensConfig policy;
    private final SecurityEvents events;
    private final Clock clock;
    private final Cache<String, TokenScopes> scopes = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofHours(1)).build();

    public TokenService(Database database, ServerSecret secret, PrincipalService principals, TokensConfig policy,
                        SecurityEvents events, Clock clock) {
        this.store = new TokenStore(database);
        this.secret = Objects.requireNonNull(secret, "secret");
        this.principals = principals;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** No principal has the id or name given. */
    public static final class UnknownPrincipal extends IllegalArgumentException {
        UnknownPrincipal(String idOrName) {
            super("no principal has id or name " + idOrName + " (see: keywarden principals list)");
        }
    }

    /** The limits mint requests are checked against. */
    public TokensConfig policy() {
        return policy;
    }

    /**
     * Mints a token for the caller {@code issuer} (a virtual key): same principal, so same limits and budgets.
     *
     * @throws IllegalArgumentException when {@code issuer} is not a virtual key
     */
    public IssuedToken mint(ClientIdentity issuer, TokenRequest request) {
        if (issuer == null || !ISSUER_KIND.equals(issuer.credentialKind())) {
            throw new IllegalArgumentException("only a virtual key can mint tokens");
        }
        return issue(issuer.principalId(), issuer.credentialId(), request);
    }

    /**
     * Mints a token for a signed-in user (the web's {@code POST /api/tokens}): the user's principal, so the same limits
     * and budgets; the user is its issuer, so disabling or deleting the user revokes it, like revoking a virtual key
     * revokes that key's tokens.
     *
     * @throws IllegalArgumentException when {@code userId} is not a user id ({@code usr_…})
     */
    public IssuedToken mintForUser(String userId, String principalId, TokenRequest request) {
        if (userId == null || !userId.startsWith(USER_ID_PREFIX)) {
            throw new IllegalArgumentException("not a user id: tokens are minted for users by their id (usr_…)");
        }
        return issue(Objects.requireNonNull(principalId, "principalId"), userId, request);
    }

    private IssuedToken issue(String principalId, String issuerId, TokenRequest request) {
        String token = TokenFormat.generate();
        String id = ID_PREFIX + TokenFormat.randomBase62(ID_RANDOM_LENGTH);
        long now = clock.millis();
        long expiresAt = now + request.ttl().toMillis();
        store.insert(new TokenRecord(id, hash(token), principalId, issuerId, request.scopes().toJson(),
                expiresAt, request.maxUses(), 0, null, now, null, null));
        scopes.put(id, request.scopes());
        Map<String, String> details = new LinkedHashMap<>();
        details.put(issuerId.startsWith(USER_ID_PREFIX) ? "issuer_user_id" : "issuer_key_id", issuerId);
        details.put("principal_id", String.valueOf(principalId));
        details.put("expires_at", Instant.ofEpochMilli(expiresAt).toString());
        details.put("max_uses", String.valueOf(request.maxUses()));
        details.put("scopes", request.scopes().toJson());
        events.record(SecurityEvent.of("token.issued", id, details));
        return new IssuedToken(id, token, principalId, issuerId, Instant.ofEpochMilli(expiresAt),
                request.maxUses(), request.scopes());
    }

    /**
     * Checks a presented {@code kw_tmp_…} value. Refuses a malformed one without touching the store.
     * An exhausted token is refused here already; the use itself is spent by {@link #spend}.
     */
    public AuthOutcome authenticate(String presented) {
        String token = presented == null ? "" : presented.strip();
        if (!TokenFormat.isWellFormed(token)) {
            return AuthOutcome.unknown(INVALID_MESSAGE);
        }
        byte[] hash = secret.hmac(token);
        Optional<TokenRecord> found = store.findByHash(HEX.formatHex(hash));
        if (found.isEmpty() || !MessageDigest.isEqual(HEX.parseHex(found.get().tokenHash()), hash)) {
            return AuthOutcome.unknown(INVALID_MESSAGE);
        }
        TokenRecord t = found.get();
        String refusal = refusal(t, clock.millis());
        if (refusal != null) {
            return AuthOutcome.unusable(refusal);
        }
        scopes.get(t.id(), id -> TokenScopes.fromJson(t.scopesJson()));
        return new AuthOutcome.Authenticated(identity(t));
    }

    /** Why {@code t} cannot be used at {@code now}, or null when it can. */
    static String refusal(TokenRecord t, long now) {
        if (t.revokedAt() != null) {
            return REVOKED_MESSAGE;
        }
        if (t.issuerRevokedAt() != null || t.issuerName() == null) {
            return t.issuerKeyId().startsWith(USER_ID_PREFIX) ? USER_GONE_MESSAGE : ISSUER_REVOKED_MESSAGE;
        }
        if (now >= t.expiresAt()) {
            return expiredMessage(Instant.ofEpochMilli(t.expiresAt()));
        }
        if (t.uses() >= t.maxUses()) {
            return exhaustedMessage(t.maxUses());
        }
        return null;
    }

    static String expiredMessage(Instant at) {
        return "this token expired at " + at + "; mint a new one with your virtual key (POST /v1/keywarden/tokens)";
    }

    static String exhaustedMessage(long maxUses) {
        return "this token is exhausted: it has used all of its " + maxUses + (maxUses == 1 ? " use" : " uses")
                + "; mint a new one with your virtual key (POST /v1/keywarden/tokens)";
    }

    private ClientIdentity identity(TokenRecord t) {
        Principal p = t.principalId() == null || principals == null ? null : principals.current(t.principalId()).orElse(null);
        if (p == null) {
            return new ClientIdentity(CREDENTIAL_KIND, t.id(), t.id(), t.issuerName(), t.principalId(), null, null, null);
        }
        return new ClientIdentity(CREDENTIAL_KIND, t.id(), t.id(), t.issuerName(), p.id(), p.name(), p.kind().wireName(), p.tier());
    }

    /**
     * The scopes of token {@code id} (cached: scopes never change after minting); empty when no such
     * token exists.
     */
    public Optional<TokenScopes> scopes(String id) {
        TokenScopes cached = scopes.getIfPresent(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        return store.findById(id).map(t -> {
            TokenScopes s = TokenScopes.fromJson(t.scopesJson());
            scopes.put(id, s);
            return s;
        });
    }

    /**
     * Spends one use of token {@code id}, atomically across every process sharing the database.
     *
     * @return null when the use was granted; otherwise why not (exhausted, expired, revoked), fit for a 401
     */
    public String spend(String id) {
        long now = clock.millis();
        if (store.spendUse(id, now)) {
            return null;
        }
        return store.findById(id).map(t -> {
            String why = refusal(t, now);
            return why != null ? why : exhaustedMessage(t.maxUses());
        }).orElse(INVALID_MESSAGE);
    }

    /**
     * Revokes the token with this id; takes effect on the next request on every instance.
     *
     * @param by who asked (cli, admin API), for the audit trail
     * @return true when this call revoked it; false when no such token exists or it was already revoked
     */
    public boolean revoke(String id, String by) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("give a token id (tok_…); see: keywarden tokens list");
        }
        String clean = id.strip();
        if (clean.startsWith(TokenFormat.PREFIX)) {
            throw new IllegalArgumentException("give the token id (tok_…), not the token itself; see: keywarden tokens list");
        }
        boolean revoked = store.revoke(clean, clock.millis());
        if (revoked) {
            events.record(SecurityEvent.of("token.revoked", clean, Map.of("by", by, "scope", "token")));
        }
        return revoked;
    }

    /**
     * Revokes every unrevoked token of a principal (id or name).
     *
     * @return how many tokens this call revoked
     * @throws UnknownPrincipal when no principal has that id or name
     */
    public int revokeByPrincipal(String principal, String by) {
        if (principal == null || principal.isBlank()) {
            throw new IllegalArgumentException("give a principal id (pr_…) or name");
        }
        String principalId = principals == null ? principal.strip()
                : principals.find(principal.strip()).orElseThrow(() -> new UnknownPrincipal(principal.strip())).id();
        int revoked = store.revokeByPrincipal(principalId, clock.millis());
        events.record(SecurityEvent.of("token.revoked", principalId,
                Map.of("by", by, "scope", "principal", "count", String.valueOf(revoked))));
        return revoked;
    }

    /** Every token, newest first, with its state now; never the token. */
    public List<TokenInfo> list() {
        long now = clock.millis();
        return store.list().stream().map(t -> info(t, now)).toList();
    }

    /** The token with this id, if any; never the token itself. */
    public Optional<TokenInfo> find(String id) {
        return store.findById(id).map(t -> info(t, clock.millis()));
    }

    private static TokenInfo info(TokenRecord t, long now) {
        return new TokenInfo(t.id(), t.principalId(), t.issuerKeyId(),
                Instant.ofEpochMilli(t.createdAt()), Instant.ofEpochMilli(t.expiresAt()), t.uses(), t.maxUses(),
                t.revokedAt() == null ? null : Instant.ofEpochMilli(t.revokedAt()), TokenScopes.fromJson(t.scopesJson()),
                state(t, now));
    }

    private static String state(TokenRecord t, long now) {
        if (t.revokedAt() != null || t.issuerRevokedAt() != null || t.issuerName() == null) {
            return "revoked";
        }
        if (now >= t.expiresAt()) {
            return "expired";
        }
        return t.uses() >= t.maxUses() ? "exhausted" : "active";
    }

    private String hash(String token) {
        return HEX.formatHex(secret.hmac(token));
    }
}
