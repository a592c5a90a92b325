package dev.keywarden.app;

import dev.keywarden.admin.AdminRoutes;
import dev.keywarden.admin.AdminServer;
import dev.keywarden.admin.AdminTokenAdmin;
import dev.keywarden.admin.AdminTokens;
import dev.keywarden.admin.BudgetAdmin;
import dev.keywarden.admin.MetricsAdmin;
import dev.keywarden.admin.PrincipalAdmin;
import dev.keywarden.admin.TokenAdmin;
import dev.keywarden.admin.UserAdmin;
import dev.keywarden.admin.VaultAdmin;
import dev.keywarden.admin.VirtualKeyAdmin;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.auth.token.TokenService;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.limits.budget.BudgetStore;
import dev.keywarden.metrics.Metrics;
import dev.keywarden.store.Database;
import dev.keywarden.users.UsersModule;
import dev.keywarden.vault.KeyVault;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The admin listener and every admin route, registered in one place. */
final class AdminWiring {

    private static final Logger LOG = LoggerFactory.getLogger(AdminWiring.class);

    private AdminWiring() {
    }

    /** Starts the admin listener; a taken default port is a warning, a taken configured port stops start-up. */
    static Optional<AdminServer> start(KeywardenConfig config, Database db, ServerSecret secret, VirtualKeyService keys,
                                       TokenService tokens, UsersModule users, Optional<KeyVault> vault, SecurityEvents events,
                                       Metrics metrics, List<AutoCloseable> resources) {
        if (config.admin().listen().isEmpty()) {
            LOG.info("admin API disabled (admin.listen: off)");
            return Optional.empty();
        }
        AdminRoutes routes = new AdminRoutes();
        VirtualKeyAdmin.register(routes, keys);
        PrincipalAdmin.register(routes, keys.principals());
        BudgetAdmin.register(routes, new BudgetStore(db), keys);
        TokenAdmin.register(routes, tokens);
        UserAdmin.register(routes, users);
        vault.ifPresent(v -> VaultAdmin.register(routes, v));
        MetricsAdmin.register(routes, metrics);
        AdminTokens adminTokens = new AdminTokens(db, secret, events, Clock.systemUTC());
        AdminTokenAdmin.register(routes, adminTokens, Clock.systemUTC());
        try {
            AdminServer admin = AdminServer.start(config.admin().listen().get(), config.admin().tls(), adminTokens, routes, events);
            resources.add(admin);
            LOG.info("admin API listening on {}, {} (Bearer admin tokens: keywarden admin create-token)", admin.baseUri(),
                    admin.protocols());
            return Optional.of(admin);
        } catch (IllegalStateException e) {
            if (config.admin().explicit()) {
                throw new ConfigException("admin.listen (KEYWARDEN_ADMIN_LISTEN): " + e.getMessage()
                        + "; choose a free address or set it to off");
            }
            LOG.warn("admin API not started: {} (set KEYWARDEN_ADMIN_LISTEN to a free address, or off)", e.getMessage());
            return Optional.empty();
        }
    }
}
