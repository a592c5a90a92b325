package dev.keywarden.testing;

import dev.keywarden.scan.Launcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How integration tests start the built jar: with the Java running the tests and the same JVM options
 * {@code ./keywarden} passes ({@link Launcher#jvmOptions()}), so a test sees what a user sees.
 */
public final class KeywardenJar {

    private KeywardenJar() {
    }

    /** The shaded jar failsafe built ({@code keywarden.jar} system property, else {@code target/keywarden.jar}). */
    public static String path() {
        return System.getProperty("keywarden.jar", "target/keywarden.jar");
    }

    /** The Java executable running this test. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** {@code java <options> -jar keywarden.jar <args>}. */
    public static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(Launcher.jvmOptions());
        command.add("-jar");
        command.add(path());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The jar as a newcomer runs it: {@link #command} in {@code dir}, as a separate process with no
     * {@code KEYWARDEN_*}/{@code ANTHROPIC_*} variables of this test's environment but {@code env}.
     */
    public static ProcessBuilder process(Path dir, Map<String, String> env, String... args) {
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARDEN_") || k.startsWith("ANTHROPIC_"));
        pb.environment().putAll(env);
        return pb;
    }
}
