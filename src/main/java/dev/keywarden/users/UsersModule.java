package dev.keywarden.users;

import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.pipeline.Authenticator;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.UsersConfig;
import dev.keywarden.limits.LocalRateLimiter;
import dev.keywarden.limits.RateLimiter;
import dev.keywarden.limits.RedisRateLimiter;
import dev.keywarden.state.RedisState;
import dev.keywarden.store.Database;
import dev.keywarden.users.oidc.BearerTokenAuthenticator;
import dev.keywarden.users.oidc.OidcLogin;
import dev.keywarden.users.oidc.OidcProvider;
import dev.keywarden.users.oidc.OidcUserMapper;

import java.time.Clock;
import java.util.Optional;

/**
 * Accounts, sessions and OIDC built from the configuration, the same way for {@code keywarden serve} and the CLI:
 * sessions in Redis with {@code state: redis}, else in the database; failed-sign-in counters in the same place as
 * the rate limits; OIDC only when {@code oidc.issuer} is set.
 */
public final class UsersModule {

    private final UsersConfig config;
    private final UserService users;
    private final SessionService sessions;
    private final Optional<OidcProvider> oidc;
    private final Optional<OidcLogin> oidcLogin;
    private final Optional<OidcUserMapper> mapper;

    private UsersModule(UsersConfig config, UserService users, SessionService sessions, Optional<OidcProvider> oidc,
                        Optional<OidcLogin> oidcLogin, Optional<OidcUserMapper> mapper) {
        this.config = config;
        this.users = users;
        this.sessions = sessions;
        this.oidc = oidc;
        this.oidcLogin = oidcLogin;
        this.mapper = mapper;
    }

    public static UsersModule open(KeywardenConfig config, Database db, ServerSecret secret, Optional<RedisState> redis,
                                   PrincipalService principals, SecurityEvents events, Clock clock) {
        UsersConfig settings = config.users();
        SessionStore store = redis.<SessionStore>map(RedisSessionStore::new).orElseGet(() -> new JdbcSessionStore(db));
        SessionService sessions = new SessionService(store, secret, settings.sessionIdleTimeout(), settings.sessionLifetime(),
                clock, events);
        LocalRateLimiter local = new LocalRateLimiter(clock::millis);
        RateLimiter counters = redis.<RateLimiter>map(RedisRateLimiter::new).orElse(local);
        LoginThrottle throttle = new LoginThrottle(counters, local, settings.loginFailuresPerAccount(),
                settings.loginFailuresPerAddress(), settings.loginLockout(), events);
        UserService users = new UserService(db, principals, PasswordHasher.owaspMinimum(), PasswordPolicy.standard(), sessions,
                throttle, events, clock);
        Optional<OidcProvider> provider = config.oidc().map(OidcProvider::new);
        Optional<OidcUserMapper> mapper = config.oidc().map(o -> new OidcUserMapper(o, users));
        Optional<OidcLogin> login = provider.map(p -> new OidcLogin(p, mapper.orElseThrow(), users, store,
                state -> sessions.keyedHash("oidc-state", state), events, clock));
        return new UsersModule(settings, users, sessions, provider, login, mapper);
    }

    public UserService users() {
        return users;
    }

    public SessionService sessions() {
        return sessions;
    }

    public UsersConfig config() {
        return config;
    }

    /** OIDC sign-in, when {@code oidc.issuer} is set. */
    public Optional<OidcLogin> oidcLogin() {
        return oidcLogin;
    }

    public Optional<OidcProvider> oidc() {
        return oidc;
    }

    /**
     * {@code next} behind a check of IdP access tokens when OIDC is configured: a JWT-shaped bearer goes to the OIDC
     * validator, anything else to {@code next}; {@code next} itself when OIDC is off.
     */
    public Authenticator withBearerTokens(Authenticator next) {
        return oidc.<Authenticator>map(p -> new BearerTokenAuthenticator(p, mapper.orElseThrow(), users, next)).orElse(next);
    }
}
