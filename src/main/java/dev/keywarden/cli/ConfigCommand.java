package dev.keywarden.cli;

import dev.keywarden.config.ConfigLoader;
import dev.keywarden.config.ConfigReference;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.config.LimitsConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keywarden config}: check a configuration without starting anything, and print the reference of
 * every setting (the text of docs/configuration.md).
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Check a configuration, or print the reference of every setting.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Reference.class})
public final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /**
     * {@code keywarden config check [FILE]}: loads and validates the configuration exactly as {@code serve}
     * does (the file, {@code .env} in development, the environment) and opens nothing: no store, vault or
     * network connection. Prints OK and a short summary (exit 0), or the one-line error (exit 2).
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Load and validate a configuration as serve would, without opening the store or any connection.",
                    "Reads the file, .env in development and the environment, but opens no store, vault or connection.",
                    "Prints OK and a summary (exit 0) or the one-line configuration error (exit 2). Warnings go to stderr."})
    static final class Check implements Callable<Integer>, CliContext.Aware {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
                description = "YAML configuration file (default: ./keywarden.yaml when present).")
        Path file;

        private CliContext context = CliContext.process();

        @Override
        public void context(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            ConfigLoader loader = ConfigLoader.from(context.env(), context.workDir()).configFile(file);
            KeywardenConfig cfg = loader.load();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            cfg.notices().stream().filter(n -> n.startsWith("WARN ")).forEach(n -> err.println("warning: " + n.substring(5)));
            err.flush();
            out.println("OK " + loader.file().map(f -> f.toAbsolutePath().normalize().toString())
                    .orElse("(no configuration file: defaults and environment)"));
            summary(cfg).forEach(out::println);
            out.flush();
            return 0;
        }

        /** The lines after OK: what a gateway started with this configuration would be. */
        static java.util.List<String> summary(KeywardenConfig cfg) {
            LimitsConfig limits = cfg.limits();
            return java.util.List.of(
                    "  environment  " + cfg.environment().name().toLowerCase(Locale.ROOT) + (cfg.demoMode() ? " (demo mode)" : ""),
                    "  listen       " + cfg.listen() + ", admin " + cfg.admin().listen().map(Object::toString).orElse("off"),
                    "  store        " + (cfg.shared().postgres() ? "postgres " + cfg.shared().postgresUrl().orElse("")
                            : "sqlite in " + cfg.dataDir().toAbsolutePath().normalize()),
                    "  state        " + (cfg.shared().redis() ? "redis " + cfg.shared().redisUrl().map(Object::toString).orElse("")
                            : "local"),
                    "  vault kek    " + cfg.vault().kek() + (cfg.vault().enabled() ? " (key environment " + cfg.vault().keyEnvironment()
                            + ")" : ""),
                    "  tiers        " + String.join(", ", new java.util.TreeSet<>(limits.tiers().keySet()).stream()
                            .map(t -> t.equals(limits.defaultTier()) ? t + " (default)" : t).toList())
                            + (limits.enabled() ? "" : "; rate limits off"));
        }
    }

    /** {@code keywarden config reference}: every setting as Markdown (docs/configuration.md is this output). */
    @Command(name = "reference", mixinStandardHelpOptions = true,
            description = {"Print the reference of every setting as Markdown (the text of docs/configuration.md).",
                    "Each setting with its YAML path, environment variable, default and meaning."})
    static final class Reference implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(ConfigReference.markdown());
            out.flush();
            return 0;
        }
    }
}
