package dev.keywarden.users.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.OidcConfig;
import dev.keywarden.users.PendingLogin;
import dev.keywarden.users.SessionStore;
import dev.keywarden.users.User;
import dev.keywarden.users.UserService;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * OpenID Connect sign-in, authorization-code flow with PKCE (S256), {@code state} and {@code nonce} (Nimbus).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #start} makes a fresh 256-bit state, nonce and PKCE verifier; the verifier and nonce stay server-side
 *       (in the session store, so any instance can finish the sign-in), under the HMAC of the state, for at most
 *       {@link #PENDING_TTL};</li>
 *   <li>{@link #finish} accepts a state only when it equals the one in the browser's sign-in cookie (constant time)
 *       and is taken from the store exactly once, so a replayed or foreign state is refused; the ID token must pass
 *       {@link OidcProvider}'s checks with the stored nonce;</li>
 *   <li>the return path is a local path ({@code /…}, never {@code //…}), so the sign-in cannot redirect elsewhere;</li>
 *   <li>every refusal is a security event ({@code oidc.sign_in_failed}) with a reason code, never a code, token or claim.</li>
 * </ul>
 */
public final class OidcLogin {

    public static final Duration PENDING_TTL = Duration.ofMinutes(10);

    private final OidcProvider provider;
    private final OidcUserMapper mapper;
    private final UserService users;
    private final SessionStore store;
    private final UnaryOperator<String> stateHash;
    private final SecurityEvents events;
    private final Clock clock;

    /**
     * @param stateHash keyed hash of a state value (HMAC under the server secret), the key it is stored under
     */
    public OidcLogin(OidcProvider provider, OidcUserMapper mapper, UserService users, SessionStore store,
                     UnaryOperator<String> stateHash, SecurityEvents events, Clock clock) {
        this.provider = provider;
        this.mapper = mapper;
        this.users = users;
        this.store = store;
        this.stateHash = stateHash;
        this.events = events;
        this.clock = clock;
    }

    /** Where to send the browser, and the state to put in its sign-in cookie. */
    public record Start(URI authorizationUri, String state) {
        @Override
        public String toString() {
            return "Start[" + authorizationUri.getHost() + "]";
        }
    }

    /** A finished sign-in: the user, and the local path to send the browser to. */
    public record Finished(User user, String returnTo) {
    }

    /**
     * Begins a sign-in.
     *
     * @param returnTo where to go afterwards (a local path; anything else becomes {@code /})
     * @throws OidcProvider.IdpUnavailableException when the IdP's discovery document cannot be fetched
     */
    public Start start(String returnTo) {
        OidcProvider.Resolved idp = provider.resolved();
        OidcConfig config = provider.config();
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        store.putPendingLogin(new PendingLogin(stateHash.apply(state.getValue()), nonce.getValue(), verifier.getValue(),
                localPath(returnTo), clock.millis() + PENDING_TTL.toMillis()));
        AuthenticationRequest request = new AuthenticationRequest.Builder(ResponseType.CODE,
                new Scope(config.scopes().toArray(String[]::new)), new ClientID(config.clientId()), config.redirectUri())
                .endpointURI(idp.metadata().getAuthorizationEndpointURI())
                .state(state)
                .nonce(nonce)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .build();
        return new Start(request.toURI(), state.getValue());
    }

    /**
     * Finishes a sign-in at the callback.
     *
     * @param state       the {@code state} query parameter
     * @param cookieState the state in the browser's sign-in cookie (null when absent)
     * @param code        the {@code code} query parameter
     * @param error       the {@code error} query parameter, when the IdP refused
     * @throws OidcRefusedException for anything that does not check out (400 for state problems, 401 for tokens,
     *                              403 for users that may not sign in)
     */
    public Finished finish(String state, String cookieState, String code, String error, String clientAddress)
            throws OidcRefusedException {
        try {
            return doFinish(state, cookieState, code, error);
        } catch (OidcRefusedException e) {
            events.record(SecurityEvent.of("oidc.sign_in_failed", clientAddress == null ? "-" : clientAddress,
                    Map.of("reason", e.reason(), "issuer", provider.issuer())));
            throw e;
        }
    }

    private Finished doFinish(String state, String cookieState, String code, String error) throws OidcRefusedException {
        if (error != null) {
            String shown = error.matches("[a-z_]{1,40}") ? error : "an error";
            throw new OidcRefusedException(401, "idp_error", "the identity provider did not sign you in (" + shown + "); start again");
        }
        if (state == null || state.isBlank()) {
            throw new OidcRefusedException(400, "no_state", "the sign-in answer has no state; start again at /api/oidc/login");
        }
        if (cookieState == null || !MessageDigest.isEqual(cookieState.getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
            throw new OidcRefusedException(400, "state_mismatch", "this sign-in was not started in this browser; start again at /api/oidc/login");
        }
        Optional<PendingLogin> pending = store.takePendingLogin(stateHash.apply(state));
        if (pending.isEmpty()) {
            throw new OidcRefusedException(400, "state_unknown", "this sign-in is unknown, already used or expired; start again at /api/oidc/login");
        }
        if (clock.millis() >= pending.get().expiresAt()) {
            throw new OidcRefusedException(400, "state_expired", "this sign-in took longer than " + PENDING_TTL.toMinutes()
                    + " minutes; start again at /api/oidc/login");
        }
        if (code == null || code.isBlank()) {
            throw new OidcRefusedException(400, "no_code", "the sign-in answer has no authorization code; start again");
        }
        OidcProvider.Resolved idp = provider.resolved();
        JWT idToken = exchange(idp, code, pending.get().codeVerifier());
        Map<String, Object> claims;
        try {
            claims = idp.idTokens().validate(idToken, new Nonce(pending.get().nonce())).toJWTClaimsSet().getClaims();
        } catch (BadJOSEException | JOSEException | ParseException | RuntimeException e) {
            throw new OidcRefusedException(401, "id_token_invalid", "the identity provider's ID token did not verify ("
                    + reasonOf(e) + "); start again");
        }
        User user = mapper.map(OidcIdentity.from(provider.issuer(), claims, provider.config().groupsClaim().orElse(null)));
        users.recordLogin(user.id());
        return new Finished(user, pending.get().returnTo());
    }

    private JWT exchange(OidcProvider.Resolved idp, String code, String verifier) throws OidcRefusedException {
        OidcConfig config = provider.config();
        AuthorizationCodeGrant grant = new AuthorizationCodeGrant(new AuthorizationCode(code), config.redirectUri(),
                new CodeVerifier(verifier));
        URI endpoint = idp.metadata().getTokenEndpointURI();
        TokenRequest request = config.clientSecret()
                .map(s -> new TokenRequest(endpoint, new ClientSecretBasic(new ClientID(config.clientId()),
                        new com.nimbusds.oauth2.sdk.auth.Secret(s.reveal())), grant))
                .orElseGet(() -> new TokenRequest(endpoint, new ClientID(config.clientId()), grant));
        TokenResponse response;
        try {
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(OidcProvider.CONNECT_TIMEOUT_MILLIS);
            http.setReadTimeout(OidcProvider.READ_TIMEOUT_MILLIS);
            response = OIDCTokenResponseParser.parse(http.send());
        } catch (IOException e) {
            throw new OidcProvider.IdpUnavailableException("the identity provider's token endpoint could not be reached; retry shortly");
        } catch (ParseException e) {
            throw new OidcRefusedException(401, "token_response_invalid", "the identity provider's token answer could not be read; start again");
        }
        if (!response.indicatesSuccess()) {
            String err = response.toErrorResponse().getErrorObject() == null ? null : response.toErrorResponse().getErrorObject().getCode();
            throw new OidcRefusedException(401, "code_refused", "the identity provider refused the authorization code ("
                    + (err != null && err.matches("[a-z_]{1,40}") ? err : "error") + "); start again");
        }
        JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
        if (idToken == null) {
            throw new OidcRefusedException(401, "no_id_token", "the identity provider sent no ID token; check that the openid scope is allowed");
        }
        return idToken;
    }

    /** A local path: starts with one '/', no backslash or control characters; anything else is "/". */
    static String localPath(String returnTo) {
        if (returnTo == null || returnTo.isBlank() || returnTo.length() > 512 || !returnTo.startsWith("/") || returnTo.startsWith("//")
                || returnTo.contains("\\") || returnTo.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            return "/";
        }
        return returnTo;
    }

    /** A short, token-free reason from Nimbus's exception (its messages name the failed check, never the token). */
    static String reasonOf(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        m = m.replaceAll("[^A-Za-z0-9 :,.()_-]", "");
        return m.length() > 120 ? m.substring(0, 120) : m;
    }
}
