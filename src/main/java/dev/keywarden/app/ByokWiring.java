package dev.keywarden.app;

import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.byok.ByokService;
import dev.keywarden.config.ByokConfig;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.pipeline.CallerKeys;
import dev.keywarden.state.RedisState;
import dev.keywarden.store.Database;
import dev.keywarden.vault.HttpUpstreamKeyVerifier;
import dev.keywarden.vault.KeyVault;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;

/**
 * Users' own keys (bring your own key) of a serving gateway: the {@link ByokService} the web endpoints use, and the
 * pipeline's per-principal key resolver ({@link #callerKeys}, a no-op while {@code byok.enabled} is false). Keys are
 * checked against the same upstream the gateway calls; server-held keys use the vault's KEK.
 */
record ByokWiring(ByokService service) {

    private static final Logger LOG = LoggerFactory.getLogger(ByokWiring.class);

    /**
     * @throws ConfigException naming {@code byok.modes} when {@code server_held} is offered without the vault
     */
    static ByokWiring open(KeywardenConfig config, Database db, ProviderKeysWiring upstream, Optional<RedisState> redis,
                           SecurityEvents events) {
        ByokConfig policy = config.byok();
        if (policy.offers(ByokConfig.SERVER_HELD) && upstream.vault().isEmpty()) {
            throw new ConfigException("byok.modes: server_held keeps users' keys under the vault's key-encryption key, but the"
                    + " vault is off; set vault.kek (docs/vault.md) or leave server_held out of byok.modes");
        }
        ByokService service = ByokService.open(policy, db, upstream.vault().map(KeyVault::cipher), redis,
                new HttpUpstreamKeyVerifier(upstream.upstream().url()), events, Clock.systemUTC(),
                config.users().sessionIdleTimeout());
        if (policy.enabled()) {
            LOG.info("bring your own key: on, modes {}, tiers {}, BYOK calls {} the tier budgets", policy.modes(),
                    policy.tiers().isEmpty() ? "all" : policy.tiers(), policy.countTowardBudget() ? "count toward" : "do not count toward");
        }
        return new ByokWiring(service);
    }

    /** The pipeline's resolver of callers' own keys: none while BYOK is off, so the hot path does nothing. */
    CallerKeys callerKeys() {
        return service.policy().enabled() ? service : CallerKeys.NONE;
    }
}
