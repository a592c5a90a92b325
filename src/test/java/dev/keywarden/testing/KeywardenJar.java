package dev.keywarden.testing;

import dev.keywarden.scan.Launcher;
import java.util.ArrayList;
import java.util.List;

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
}
