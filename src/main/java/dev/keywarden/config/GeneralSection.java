package dev.keywarden.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The top-level settings: deployment environment, client listener, data directory, server secret. */
final class GeneralSection {

    static final Setting ENVIRONMENT = Setting.of("environment", "KEYWARDEN_ENV", "development",
            "development, staging or production; staging and production refuse .env files, development-only key sources and demo mode");
    static final Setting LISTEN = Setting.of("listen", "KEYWARDEN_LISTEN", "127.0.0.1:8787",
            "HOST:PORT of the client listener (flag --listen); port 0 picks a free port");
    static final Setting DATA_DIR = Setting.of("data_dir", "KEYWARDEN_DATA_DIR", "./data",
            "directory of the SQLite store, the server secret and the local KEK (flag --data-dir; files 0600)");
    static final Setting SERVER_SECRET = Setting.of("server_secret", "KEYWARDEN_SERVER_SECRET", null,
            "HMAC key of virtual keys, tokens, admin tokens and audit checkpoints; the same on every instance sharing a store")
            .asSecret().shown("generated into the file server-secret in data_dir");
    static final List<Setting> SETTINGS = List.of(ENVIRONMENT, LISTEN, DATA_DIR, SERVER_SECRET);

    /** The general settings, parsed. */
    record General(HostPort listen, Path dataDir, Optional<Secret> serverSecret) {
    }

    private GeneralSection() {
    }

    static Environment environment(Values values) {
        return values.read(ENVIRONMENT, Environment::parse);
    }

    static General parse(Values values, Path workingDir) {
        return new General(values.read(LISTEN, HostPort::parse),
                values.read(DATA_DIR, raw -> workingDir.resolve(raw.strip()).normalize()),
                values.secret(SERVER_SECRET));
    }
}
