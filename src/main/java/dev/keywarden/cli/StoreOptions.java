package dev.keywarden.cli;

import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.Secret;
import dev.keywarden.store.Database;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every command that opens the store ({@code --config}, {@code --data-dir}), as a picocli
 * mixin, and the one way the CLI finds the store: the configuration {@code keywarden serve} would load
 * (same file, {@code .env}, environment) with {@code --data-dir} taking precedence, then
 * {@link Database#open(KeywardenConfig)}, so {@code store: postgres} reaches the same PostgreSQL database
 * the gateways share and {@code store: sqlite} the data directory's {@code keywarden.db}.
 *
 * <p>Guarantee: a command never opens a different store than a gateway started with the same
 * configuration; configuration mistakes raise {@link ConfigException} (exit 2) before anything is opened.
 */
final class StoreOptions implements CliContext.Aware {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory holding keywarden.db and server-secret (default: $KEYWARDEN_DATA_DIR, else ./data).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file, as for serve (default: ./keywarden.yaml when present); its store"
                    + " setting (sqlite or postgres) chooses the database.")
    Path config;

    private CliContext context = CliContext.process();

    @Override
    public void context(CliContext context) {
        this.context = context;
    }

    /** What the command reads from its process (stdin, terminal, environment). */
    CliContext context() {
        return context;
    }

    /** The configuration {@code serve} would use, with {@code --data-dir} (when given) taking precedence. */
    KeywardenConfig loadConfig() {
        return loader().load();
    }

    /** The loader {@link #loadConfig()} uses, for a command that adds flags of its own ({@code serve --listen}). */
    ConfigLoader loader() {
        return loader(context, config, dataDir);
    }

    /**
     * Opens the configured store ({@code store: sqlite} or {@code postgres}) and the key service; close
     * the returned session when done.
     */
    Session open() {
        KeywardenConfig cfg = loadConfig();
        ServerSecret secret = serverSecret(cfg);
        Database database = Database.open(cfg);
        try {
            return new Session(cfg.dataDir(), describe(cfg), database, VirtualKeyService.open(database, secret), secret);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * The configuration {@code serve} would load in {@code context}.
     *
     * @param configFile    {@code --config}, or null for {@code keywarden.yaml} in the working directory when present
     * @param dataDirOption {@code --data-dir}, or null
     */
    static KeywardenConfig load(CliContext context, Path configFile, Path dataDirOption) {
        return loader(context, configFile, dataDirOption).load();
    }

    private static ConfigLoader loader(CliContext context, Path configFile, Path dataDirOption) {
        return ConfigLoader.from(context.env(), context.workDir()).configFile(configFile)
                .flag("data_dir", dataDirOption == null ? null : dataDirOption.toString());
    }

    /**
     * Opens the configured store for a READ-ONLY command: as {@link #open()}, but never creates a data
     * directory, database file or server secret ({@link #requireExistingStore}, {@link #existingServerSecret}).
     */
    Session openExisting() {
        KeywardenConfig cfg = loadConfig();
        requireExistingStore(cfg);
        ServerSecret secret = existingServerSecret(cfg);
        Database database = Database.open(cfg);
        try {
            return new Session(cfg.dataDir(), describe(cfg), database, VirtualKeyService.open(database, secret), secret);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * For read-only commands: refuses (exit 2) when {@code store: sqlite} and the data directory holds no
     * {@code keywarden.db}, saying where it looked and how to point the command at the right place.
     */
    static void requireExistingStore(KeywardenConfig config) {
        if (config.shared().postgres()) {
            return;
        }
        java.nio.file.Path file = config.dataDir().toAbsolutePath().normalize().resolve(Database.FILE_NAME);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new ConfigException("no Keywarden store at " + file + ": point the command at the data directory"
                    + " keywarden serve uses with --data-dir DIR, KEYWARDEN_DATA_DIR or data_dir in --config FILE"
                    + " (or store: postgres for a shared store); nothing was created");
        }
    }

    /** The server secret for a read-only command: as {@link #serverSecret}, but a missing file is an error, never created. */
    static ServerSecret existingServerSecret(KeywardenConfig config) {
        if (config.serverSecret().isEmpty()) {
            java.nio.file.Path file = config.dataDir().toAbsolutePath().normalize().resolve(ServerSecret.FILE_NAME);
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new ConfigException("no server secret at " + file + " and server_secret (" + ServerSecret.ENV_VAR
                        + ") is not set: use the data directory and configuration keywarden serve uses; nothing was created");
            }
        }
        return serverSecret(config);
    }

    /** The server secret: {@code server_secret} / {@code KEYWARDEN_SERVER_SECRET}, else the data directory's file. */
    static ServerSecret serverSecret(KeywardenConfig config) {
        try {
            return ServerSecret.resolve(config.serverSecret().map(Secret::reveal).orElse(null), config.dataDir());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** Where the store is, for messages: the PostgreSQL URL (never a password) or the data directory. */
    static String describe(KeywardenConfig config) {
        return config.shared().postgres()
                ? "PostgreSQL " + config.shared().postgresUrl().orElse("")
                : config.dataDir().toAbsolutePath().normalize().toString();
    }

    /** An open database and key service for the length of one command. */
    record Session(Path dataDir, String location, Database database, VirtualKeyService keys, ServerSecret secret)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                keys.close();
            } finally {
                database.close();
            }
        }
    }
}
