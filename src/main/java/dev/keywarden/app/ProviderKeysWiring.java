package dev.keywarden.app;

import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.Environment;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.LimitsConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.format.ChecksummedFormat;
import dev.keywarden.store.Database;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import dev.keywarden.vault.HttpUpstreamKeyVerifier;
import dev.keywarden.vault.KeyVault;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.ProviderKeys;
import dev.keywarden.vault.StaticProviderKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where calls go and with which provider key: demo mode (the bundled fake upstream, a demo virtual
 * key on an enterprise-tier principal; development only), the encrypted vault ({@code vault.kek}), or
 * the single key of {@code ANTHROPIC_API_KEY}. Outside development it refuses to start, with one line
 * saying how to configure a key, when no key is configured or the vault holds none that can serve.
 *
 * @param upstream the upstream to call (the bundled fake's address in demo mode)
 * @param demoKey  the demo virtual key, in demo mode
 */
record ProviderKeysWiring(UpstreamConfig upstream, ProviderKeys keys, Optional<KeyVault> vault, Optional<String> demoKey) {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderKeysWiring.class);
    static final String DEMO_KEY_NAME = "demo";

    /** Opens what serves the configuration; what must be closed goes to {@code resources}. */
    static ProviderKeysWiring open(KeywardenConfig config, Database db, SecurityEvents events, VirtualKeyService virtualKeys,
                                   List<AutoCloseable> resources) {
        UpstreamConfig upstream = config.upstream();
        if (config.demoMode() && !config.environment().isDevelopment()) {
            throw new ConfigException(noKeyOutsideDevelopment(config.environment()));
        }
        if (config.demoMode()) {
            String fakeKey = "sk-ant-demo-" + ChecksummedFormat.randomBase62(40);
            FakeUpstream fake = FakeUpstream.start(FakeUpstreamOptions.defaults(fakeKey));
            resources.add(fake);
            // the fake's test controls (x-fake-scenario, x-fake-latency-ms…) reach it, so a demo user can try them
            UpstreamConfig demo = new UpstreamConfig(fake.baseUri(), false, Optional.empty(), "demo", upstream.connectTimeout(),
                    upstream.idleTimeout(), upstream.maxConnections(), upstream.forwardHeaders()).forwardingAlso(List.of("x-fake-*"));
            virtualKeys.revokeByName(DEMO_KEY_NAME);
            demoPrincipal(virtualKeys.principals(), config.limits());
            String demoKey = virtualKeys.create(DEMO_KEY_NAME).key();
            return new ProviderKeysWiring(demo, new StaticProviderKeys(new ProviderKey("demo", fakeKey)), Optional.empty(),
                    Optional.of(demoKey));
        }
        if (config.vault().enabled()) {
            KeyVault vault = openVault(config, db, events, upstream);
            resources.add(vault);
            requireStoredKeyOutsideDevelopment(config, vault);
            return new ProviderKeysWiring(upstream, vault.providerKeys(), Optional.of(vault), Optional.empty());
        }
        ProviderKey key = new ProviderKey(upstream.apiKeySetting(), upstream.apiKey()
                .orElseThrow(() -> new ConfigException("ANTHROPIC_API_KEY is not set; set it to your Anthropic API key"))
                .reveal());
        StaticProviderKeys keys = new StaticProviderKeys(key, events);
        HttpUpstreamKeyVerifier listing = HttpUpstreamKeyVerifier.listingModels(upstream.url(), upstream.connectTimeout().plusSeconds(10));
        StartupKeyVerification.Outcome verified = StartupKeyVerification.check(upstream, config.environment(), key, listing);
        if (verified == StartupKeyVerification.Outcome.REFUSED) {
            keys.rejectedByUpstream(key, 401); // development: alert, and /readyz says why calls get 503
        }
        resources.add(recheckWhileRejected(keys, listing, RECHECK_EVERY));
        return new ProviderKeysWiring(upstream, keys, Optional.empty(), Optional.empty());
    }

    /**
     * How often a rejected {@code ANTHROPIC_API_KEY} is asked about upstream (one free {@code GET /v1/models}, only
     * while it is rejected). Live calls alone cannot be relied on to notice recovery: a load balancer stops sending
     * calls to an instance whose {@code /readyz} is not ready.
     */
    static final java.time.Duration RECHECK_EVERY = java.time.Duration.ofSeconds(60);

    /** Re-checks {@code keys} every {@code every} on a daemon thread while upstream rejects it; close to stop. */
    static AutoCloseable recheckWhileRejected(StaticProviderKeys keys, dev.keywarden.vault.UpstreamKeyVerifier verifier, java.time.Duration every) {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "provider-key-recheck");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                keys.recheck(verifier);
            } catch (RuntimeException e) {
                LOG.warn("provider key re-check failed: {}", e.toString());
            }
        }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }

    /**
     * The one line {@code serve} stops with in staging or production when no provider key is configured:
     * demo mode (the bundled fake upstream, simulated answers) exists in development only.
     */
    static String noKeyOutsideDevelopment(Environment environment) {
        return "environment " + environment.id() + ": no provider key is configured (ANTHROPIC_API_KEY is not set and vault.kek is"
                + " none); set ANTHROPIC_API_KEY to your Anthropic API key, or enable the vault (vault.kek) and add one with"
                + " `keywarden keys add --from-env VAR`; demo mode with simulated answers runs only with environment: development";
    }

    /**
     * Outside development a vault holding no key that can serve (active, pending or draining) for the
     * environment, with no {@code ANTHROPIC_API_KEY} to import, would answer every call 503: refuse to start.
     */
    private static void requireStoredKeyOutsideDevelopment(KeywardenConfig config, KeyVault vault) {
        if (config.environment().isDevelopment() || config.upstream().apiKey().isPresent()) {
            return;
        }
        KeyVault.Status status = vault.status();
        int usable = status.keysByState().getOrDefault("active", 0) + status.keysByState().getOrDefault("pending", 0)
                + status.keysByState().getOrDefault("draining", 0);
        if (usable == 0) {
            throw new ConfigException("environment " + config.environment().id() + ": the vault holds no usable provider key for"
                    + " key environment " + status.keyEnvironment() + " (vault.key_environment); add one with `keywarden keys add"
                    + " --from-env VAR` or set ANTHROPIC_API_KEY to import it at start-up");
        }
    }

    /**
     * Opens the provider-key vault: imports {@code ANTHROPIC_API_KEY} when set (once; after
     * unseal if the vault starts sealed), and warns about keys overdue for rotation.
     */
    private static KeyVault openVault(KeywardenConfig config, Database db, SecurityEvents events, UpstreamConfig upstream) {
        KeyVault vault = KeyVault.open(config, db, events, new HttpUpstreamKeyVerifier(upstream.url()), System.getenv(), true);
        try {
            upstream.apiKey().ifPresent(k -> vault.importAtStartup(() -> k.reveal().getBytes(StandardCharsets.UTF_8)));
            if (vault.isSealed()) {
                LOG.warn("the key vault is sealed: proxy calls get 503 until an operator runs `keywarden vault unseal`");
            } else {
                Instant now = Instant.now();
                vault.overdue().forEach(s -> LOG.warn("{}", s.overdueWarning(now)));
            }
            return vault;
        } catch (RuntimeException e) {
            vault.close();
            throw e;
        }
    }

    /** The demo key's principal: an app on the enterprise tier, so trying the demo is not throttled at once. */
    private static void demoPrincipal(PrincipalService principals, LimitsConfig limits) {
        String tier = limits.knows("enterprise") ? "enterprise" : limits.defaultTier();
        Principal p = principals.find(DEMO_KEY_NAME)
                .orElseGet(() -> principals.create(DEMO_KEY_NAME, Principal.Kind.APP, tier, null));
        if (!p.tier().equals(tier)) {
            principals.setTier(p.id(), tier);
        }
        if (p.suspended()) {
            principals.resume(p.id());
        }
    }
}
