package dev.keywarden.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The single {@code keywarden} executable: one subcommand per job. */
@Command(name = "keywarden",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Gateway that keeps Anthropic API keys on the server and gives clients safer credentials.",
        subcommands = {
                ServeCommand.class,
                KeysCommand.class,
                PrincipalsCommand.class,
                UsersCommand.class,
                TokensCommand.class,
                VaultCommand.class,
                FakeUpstreamCommand.class,
                AdminCommand.class,
                AuditCommand.class,
                UsageCommand.class,
                ScanCommand.class,
                DoctorCommand.class,
                ConfigCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (shared by {@link #main} and tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new StartupErrorHandler());
        return cl;
    }
}
