package dev.keywarden.app;

import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.byok.ByokService;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.pipeline.Authenticator;
import dev.keywarden.state.RedisState;
import dev.keywarden.store.Database;
import dev.keywarden.users.UsersModule;
import dev.keywarden.users.oidc.OidcProvider;
import dev.keywarden.web.CorsPolicy;
import dev.keywarden.web.OriginCheck;
import dev.keywarden.web.SessionCookies;
import dev.keywarden.web.SessionGate;
import dev.keywarden.web.WebHandler;
import org.eclipse.jetty.server.Handler;

import java.time.Clock;
import java.util.Optional;

/**
 * Accounts, sessions and OIDC of a serving gateway: the {@link UsersModule}, the web entry point that
 * serves browsers under {@link #WEB_PREFIX} beside the proxy, and the proxy's authenticator with IdP
 * bearer tokens in front of virtual keys and short-lived tokens (when OIDC is configured).
 */
record UsersWiring(UsersModule users, SessionGate gate, Handler web) {

    /** The path prefix the web entry point is mounted under on the proxy listener. */
    static final String WEB_PREFIX = "/api/";

    static UsersWiring open(KeywardenConfig config, Database db, ServerSecret secret, Optional<RedisState> redis,
                            PrincipalService principals, SecurityEvents events, ByokService byok) {
        UsersModule users = UsersModule.open(config, db, secret, redis, principals, events, Clock.systemUTC());
        users.oidc().ifPresent(OidcProvider::warmUp);
        SessionGate gate = new SessionGate(users, new SessionCookies(config.users().secureCookie()),
                new OriginCheck(new CorsPolicy(config.cors()).credentialedOrigins()), events);
        return new UsersWiring(users, gate, new WebHandler(gate, byok));
    }

    /** {@code credentials} behind a check of IdP access tokens when OIDC is configured; {@code credentials} otherwise. */
    Authenticator authenticator(Authenticator credentials) {
        return users.withBearerTokens(credentials);
    }
}
