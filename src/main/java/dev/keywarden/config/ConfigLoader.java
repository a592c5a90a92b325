package dev.keywarden.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Assembles {@link KeywardenConfig} from, in increasing precedence: each setting's default, the YAML
 * file, a {@code .env} file (development only), the process environment, and command-line flags; then
 * has every section's parser validate its settings, in one pass, before anything is opened.
 *
 * <p>Guarantee: any mistake in any section — an unknown YAML key or {@code KEYWARDEN_<FAMILY>_*} variable,
 * an unparsable value, a provider key of the wrong shape, a missing price file — raises
 * {@link ConfigException} with one line naming the setting (YAML path and environment variable) and
 * the fix, and never quoting a secret value. Loading reads files only: it opens no store, vault or connection.
 */
public final class ConfigLoader {

    private final Map<String, String> env;
    private final Path workingDir;
    private final Map<String, String> flags = new HashMap<>();
    private Path configFile;

    private ConfigLoader(Map<String, String> env, Path workingDir) {
        this.env = env;
        this.workingDir = workingDir;
    }

    /** A loader reading the real process environment and the current directory. */
    public static ConfigLoader fromProcess() {
        return new ConfigLoader(System.getenv(), Path.of(""));
    }

    /** A loader over an explicit environment (tests, CLI contexts). */
    public static ConfigLoader from(Map<String, String> env, Path workingDir) {
        return new ConfigLoader(Map.copyOf(env), workingDir);
    }

    /** The YAML file to read; {@code null} reads {@code keywarden.yaml} in the working directory when present. */
    public ConfigLoader configFile(Path file) {
        this.configFile = file;
        return this;
    }

    /** A command-line flag value (highest precedence), keyed by YAML path; {@code null} is ignored. */
    public ConfigLoader flag(String path, String value) {
        if (value != null) {
            flags.put(path, value);
        }
        return this;
    }

    /** The file {@link #load()} reads: {@code --config}, else {@code keywarden.yaml} in the working directory when present. */
    public java.util.Optional<Path> file() {
        if (configFile != null) {
            return java.util.Optional.of(configFile);
        }
        Path implicit = workingDir.resolve("keywarden.yaml");
        return Files.isRegularFile(implicit) ? java.util.Optional.of(implicit) : java.util.Optional.empty();
    }

    public KeywardenConfig load() {
        List<String> notices = new ArrayList<>();
        Map<String, String> file = Map.of();
        java.util.Optional<Path> path = file();
        if (path.isPresent()) {
            if (!Files.isRegularFile(path.get())) {
                throw new ConfigException("--config: file " + path.get().toAbsolutePath() + " does not exist; pass the path of"
                        + " your keywarden.yaml");
            }
            file = ConfigFile.read(path.get());
            notices.add("INFO configuration file " + path.get().toAbsolutePath().normalize());
        }
        Values values = new Values(flags, env, file);
        Environment environment = GeneralSection.environment(values);
        values = withDotEnv(values, environment, notices);
        ConfigSchema.checkEnvironment(values.environment());

        GeneralSection.General general = GeneralSection.parse(values, workingDir);
        VaultConfig vault = VaultSection.parse(values, environment, notices);
        UpstreamConfig upstream = UpstreamSection.parse(values, vault.enabled(), notices);
        ServerConfig server = ServerSection.parse(values, workingDir);
        AdminConfig admin = AdminSection.parse(values, workingDir);
        SharedConfig shared = SharedSection.parse(values, general.serverSecret().isPresent(), notices);
        AuditConfig audit = AuditSection.parse(values, notices);
        BudgetSettings budgets = BudgetsSection.parse(values);
        LimitsConfig limits = LimitsSection.parse(values, budgets.tiers().keySet(), notices);
        TokensConfig tokens = TokensSection.parse(values);
        GuardConfig guard = GuardSection.parse(values);
        AnomalyConfig anomaly = AnomalySection.parse(values);
        PricingConfig pricing = PricingSection.parse(values, workingDir);
        CorsConfig cors = CorsSection.parse(values);
        UsersConfig users = UsersSection.parse(values, environment, general.listen(), notices);
        java.util.Optional<OidcConfig> oidc = OidcSection.parse(values, limits::knows, workingDir, notices);
        ByokConfig byok = ByokSection.parse(values, limits::knows);
        AppsConfig apps = AppsSection.parse(values, guard.validation().enabled() ? guard.validation().maxTokens() : 0);
        warnAboutSecretsInTheFile(values, notices);
        return new KeywardenConfig(environment, general, upstream, server, admin, vault, audit, shared, limits, budgets, tokens,
                guard, anomaly, pricing, cors, users, oidc, byok, apps, notices);
    }

    /**
     * One notice per secret written in the config file (the provider key, the passphrase and the OIDC client secret
     * have notices of their own).
     */
    private static void warnAboutSecretsInTheFile(Values values, List<String> notices) {
        for (Setting s : ConfigSchema.settings()) {
            if (s.secret() && !s.pattern() && s != UpstreamSection.API_KEY && s != VaultSection.PASSPHRASE
                    && s != OidcSection.CLIENT_SECRET
                    && values.origin(s) == Values.Origin.FILE) {
                notices.add("WARN the " + s.path() + " is stored in the config file; prefer the " + s.env() + " environment variable");
            }
        }
    }

    /** In development, the working directory's {@code .env} under the real environment; in production only a notice. */
    private Values withDotEnv(Values values, Environment environment, List<String> notices) {
        Path dotEnv = workingDir.resolve(".env");
        if (!Files.isRegularFile(dotEnv)) {
            return values;
        }
        if (environment != Environment.DEVELOPMENT) {
            notices.add("WARN ignored " + dotEnv.toAbsolutePath().normalize() + ": .env files are not read in production");
            return values;
        }
        notices.add("WARN loaded " + dotEnv.toAbsolutePath().normalize()
                + " (development only; real environment variables win; set environment: production to ignore it)");
        return values.withEnvironmentDefaults(DotEnv.read(dotEnv));
    }
}
