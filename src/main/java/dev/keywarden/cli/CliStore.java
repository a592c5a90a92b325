package dev.keywarden.cli;

import dev.keywarden.auth.ServerSecret;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.Secret;
import dev.keywarden.store.Database;
import java.nio.file.Path;

/**
 * How every CLI command that reads or writes the store finds it: the configuration {@code keywarden
 * serve} would load (same file, {@code .env}, environment), with {@code --data-dir} taking precedence,
 * then {@link Database#open(KeywardenConfig)}, so {@code store: postgres} reaches the same PostgreSQL
 * database the gateways share and {@code store: sqlite} the data directory's {@code keywarden.db}.
 *
 * <p>Guarantee: a command never opens a different store than a gateway started with the same
 * configuration; configuration mistakes raise {@link ConfigException} (exit 2).
 */
final class CliStore {

    private CliStore() {
    }

    /**
     * @param configFile    {@code --config}, or null for {@code keywarden.yaml} in the working directory when present
     * @param dataDirOption {@code --data-dir}, or null
     */
    static KeywardenConfig loadConfig(CliContext context, Path configFile, Path dataDirOption) {
        return ConfigLoader.from(context.env(), context.workDir()).configFile(configFile)
                .flag("data_dir", dataDirOption == null ? null : dataDirOption.toString()).load();
    }

    /** The store {@code config} names. */
    static Database open(KeywardenConfig config) {
        return Database.open(config);
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
}
