package dev.keywarden.cli;

import java.io.Console;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a command reads from its process besides its arguments: the environment, standard input and
 * whether a terminal is attached (for no-echo passphrase prompts). Commands default to the real
 * process; tests install a stand-in with {@link #install(CommandLine, CliContext)} so that provider
 * keys can be handed to a command in a child environment without touching the JVM's own.
 *
 * @param env         environment variables ({@code KEYWARDEN_*}, source variables for {@code env:} specs)
 * @param stdin       standard input (the passphrase's first line when no terminal is attached)
 * @param interactive whether {@link System#console()} is a terminal that can prompt without echo
 * @param workDir     where relative paths ({@code keywarden.yaml}, {@code file:} sources) resolve
 */
record CliContext(Map<String, String> env, InputStream stdin, boolean interactive, Path workDir) {

    CliContext {
        env = Map.copyOf(env);
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(workDir, "workDir");
    }

    /** The running process: {@link System#getenv()}, {@link System#in}, the console, the current directory. */
    static CliContext process() {
        return new CliContext(System.getenv(), System.in, terminalAttached(), Path.of(""));
    }

    /** A non-interactive context over {@code env} and {@code stdin} (tests, scripted runs). */
    static CliContext of(Map<String, String> env, InputStream stdin) {
        return new CliContext(env, stdin, false, Path.of(""));
    }

    String env(String name) {
        return env.get(name);
    }

    /** Commands and mixins that read the context implement this; {@link #install} hands it to them. */
    interface Aware {
        void context(CliContext context);
    }

    /** Gives {@code context} to every command and mixin of {@code root} (recursively) that is {@link Aware}. */
    static void install(CommandLine root, CliContext context) {
        install(root.getCommandSpec(), context);
    }

    private static void install(CommandSpec spec, CliContext context) {
        if (spec.userObject() instanceof Aware aware) {
            aware.context(context);
        }
        spec.mixins().values().forEach(m -> install(m, context));
        spec.subcommands().values().forEach(sub -> install(sub.getCommandSpec(), context));
    }

    /**
     * Whether a terminal is attached. On JDK 22+ {@link System#console()} also returns a console for
     * redirected streams, so {@code Console.isTerminal()} (looked up reflectively: the code targets 21) decides.
     */
    private static boolean terminalAttached() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
