package dev.keywarden.cli;

import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.store.Database;
import dev.keywarden.vault.HttpUpstreamKeyVerifier;
import dev.keywarden.vault.KeyVault;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a vault or provider-key command acts, shared by every such command: the RUNNING gateway's
 * admin API when {@code --admin-url} (or {@code KEYWARDEN_ADMIN_URL}) is given, otherwise the local
 * store, opened exactly as {@code keywarden serve} opens it (same configuration sources, same vault).
 *
 * <p>Guarantees: the admin token is read only from {@code KEYWARDEN_ADMIN_TOKEN} or a file, never
 * from a flag value; a passphrase is read only by {@link PassphraseInput}; neither is ever printed.
 */
final class VaultTarget implements CliContext.Aware {

    static final String ADMIN_URL_ENV = "KEYWARDEN_ADMIN_URL";
    static final String ADMIN_TOKEN_ENV = "KEYWARDEN_ADMIN_TOKEN";

    /** {@code --config}, declared by {@link StoreOptions} and handed over by {@link VaultSubcommand}. */
    Path config;

    @Option(names = "--admin-url", paramLabel = "URL",
            description = "Act on a running gateway through its admin API, e.g. http://127.0.0.1:8788 "
                    + "(default: $KEYWARDEN_ADMIN_URL; without either, act on the local store).")
    String adminUrl;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "File holding the admin token (default: $KEYWARDEN_ADMIN_TOKEN). There is no flag for the token itself.")
    Path adminTokenFile;

    private CliContext context = CliContext.process();

    @Override
    public void context(CliContext context) {
        this.context = context;
    }

    CliContext context() {
        return context;
    }

    /** The admin URL from {@code --admin-url}, else {@code KEYWARDEN_ADMIN_URL}. */
    Optional<String> adminUrl() {
        if (adminUrl != null && !adminUrl.isBlank()) {
            return Optional.of(adminUrl.strip());
        }
        String env = context.env(ADMIN_URL_ENV);
        return env == null || env.isBlank() ? Optional.empty() : Optional.of(env.strip());
    }

    boolean remote() {
        return adminUrl().isPresent();
    }

    /** A client for {@code url} with the token from the file or the environment; warns when it would go out in clear text. */
    AdminApiClient client(String url, PrintWriter err) {
        AdminApiClient client = AdminApiClient.create(url, token());
        if (client.cleartextToRemoteHost()) {
            err.println("keywarden: warning: the admin token is sent in clear text to " + client.baseUri()
                    + "; use https or an SSH tunnel for a gateway on another machine");
            err.flush();
        }
        return client;
    }

    /** The client for {@link #adminUrl()}; call only when {@link #remote()}. */
    AdminApiClient client(PrintWriter err) {
        return client(adminUrl().orElseThrow(), err);
    }

    /**
     * The admin URL for commands that always act on a running gateway (seal, unseal): {@link #adminUrl()},
     * else the configured {@code admin.listen} address.
     */
    String adminUrlOrConfigured(Path dataDirOption) {
        return adminUrl().orElseGet(() -> {
            KeywardenConfig cfg = loadConfig(dataDirOption);
            var listen = cfg.admin().listen().orElseThrow(() -> new ConfigException("admin.listen (KEYWARDEN_ADMIN_LISTEN) is off,"
                    + " so there is no admin API to reach: pass --admin-url URL of the gateway's admin listener"));
            String host = listen.host().contains(":") ? "[" + listen.host() + "]" : listen.host();
            if (host.equals("0.0.0.0") || host.equals("[::]")) {
                host = "127.0.0.1";
            }
            return "http://" + host + ":" + listen.port();
        });
    }

    private String token() {
        return token(adminTokenFile, context);
    }

    /** The admin token from {@code tokenFile} when given, else {@code KEYWARDEN_ADMIN_TOKEN}; never from a flag value. */
    static String token(Path adminTokenFile, CliContext context) {
        if (adminTokenFile != null) {
            try {
                byte[] bytes = Files.readAllBytes(adminTokenFile);
                try {
                    return new String(bytes, StandardCharsets.UTF_8).strip();
                } finally {
                    Arrays.fill(bytes, (byte) 0);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--admin-token-file: cannot read " + adminTokenFile.toAbsolutePath()
                        + " (" + e.getClass().getSimpleName() + "); pass a readable file holding the admin token");
            }
        }
        return context.env(ADMIN_TOKEN_ENV);
    }

    /** The configuration {@code serve} would use, with {@code --data-dir} (when given) taking precedence. */
    KeywardenConfig loadConfig(Path dataDirOption) {
        return StoreOptions.load(context, config, dataDirOption);
    }

    /**
     * Opens the local vault as {@code serve} does (without background refresh).
     *
     * @param unsealed whether the command needs the KEK: a sealed passphrase vault is then unsealed with
     *                 the passphrase from {@code KEYWARDEN_VAULT_PASSPHRASE}, the prompt, or stdin
     */
    LocalVault openLocal(Path dataDirOption, boolean unsealed, SecurityEvents events) {
        KeywardenConfig cfg = loadConfig(dataDirOption);
        if (!cfg.vault().enabled()) {
            throw new ConfigException("vault.kek (KEYWARDEN_VAULT_KEK) is none, so there is no vault of provider keys in "
                    + cfg.dataDir().toAbsolutePath().normalize() + ": set it to local, passphrase, vault-transit, aws-kms or "
                    + "gcp-kms (as the gateway is configured), or pass --admin-url to act on a running gateway");
        }
        java.nio.file.Path ring = dev.keywarden.vault.crypto.VaultSeal.ringFile(cfg.dataDir());
        if (!Files.exists(ring)) {
            throw dev.keywarden.vault.crypto.VaultNotInitializedException.at(ring); // before anything is created
        }
        StoreOptions.requireExistingStore(cfg); // `vault init` made it; nothing else creates it here
        Database db = Database.open(cfg);
        KeyVault vault;
        CliAuditTrail trail = null;
        try {
            trail = cliTrail(cfg, db);
            SecurityEvents both = both(events, trail);
            vault = KeyVault.open(cfg, db, both, new HttpUpstreamKeyVerifier(cfg.upstream().url()), context.env(), false);
        } catch (RuntimeException e) {
            if (trail != null) {
                trail.close();
            }
            db.close();
            throw e;
        }
        LocalVault local = new LocalVault(cfg, db, vault, trail);
        try {
            if (unsealed && vault.isSealed()) {
                vault.unseal(PassphraseInput.read(context, "Vault passphrase: "));
            }
            return local;
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    /**
     * The CLI's audit chain ({@link CliAuditTrail}): this command's security events go to the audit trail too, on
     * the chain every CLI command shares (a CLI process never appends to the running gateway's chain).
     */
    static CliAuditTrail cliTrail(KeywardenConfig cfg, Database db) {
        return CliAuditTrail.open(cfg, db, StoreOptions.serverSecret(cfg));
    }

    /** Events to {@code events} and to {@code trail}. */
    static SecurityEvents both(SecurityEvents events, CliAuditTrail trail) {
        return e -> {
            events.record(e);
            trail.trail().record(e);
        };
    }

    /** An open local vault for the length of one command. */
    record LocalVault(KeywardenConfig config, Database database, KeyVault vault, CliAuditTrail trail)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                vault.close();
                trail.close();
            } finally {
                database.close();
            }
        }
    }
}
