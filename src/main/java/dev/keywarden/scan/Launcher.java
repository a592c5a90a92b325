package dev.keywarden.scan;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The absolute command that starts this keywarden, for the pre-commit hook to call later: the
 * {@code keywarden} launcher script when this process was started by it ({@value #LAUNCHER_ENV}: it
 * picks a JDK and rebuilds the jar itself, so the hook survives a rebuild or a JDK upgrade), else the
 * running Java executable with {@code -jar} and the keywarden jar, or, when running from a class
 * directory (development, tests), with {@code -cp} and the current class path.
 */
public final class Launcher {
    private Launcher() {
    }

    /** The command for an explicitly given launcher: a jar runs with this Java, anything else (a script) as is. */
    public static List<String> of(Path launcher) {
        Path abs = launcher.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new IllegalArgumentException("launcher " + abs + " does not exist; give the keywarden script or jar");
        }
        if (abs.toString().endsWith(".jar")) {
            return javaCommand("-jar", abs.toString());
        }
        if (!Files.isExecutable(abs)) {
            throw new IllegalArgumentException("launcher " + abs + " is not executable; give the keywarden script or jar");
        }
        return List.of(abs.toString());
    }

    /** Set by the {@code keywarden} launcher script to its own absolute path. */
    public static final String LAUNCHER_ENV = "KEYWARDEN_LAUNCHER";

    /** The command that starts the keywarden running now: the launcher script named by {@code launcherEnv} when it is one. */
    public static List<String> current(Class<?> mainClass, String launcherEnv) {
        if (launcherEnv != null && !launcherEnv.isBlank()) {
            Path script = Path.of(launcherEnv).toAbsolutePath().normalize();
            if (Files.isRegularFile(script) && Files.isExecutable(script)) {
                return List.of(script.toString());
            }
        }
        return current(mainClass);
    }

    /** The command that starts the keywarden running now, as Java and its class path or jar. */
    public static List<String> current(Class<?> mainClass) {
        Path source;
        try {
            source = Path.of(mainClass.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | NullPointerException | SecurityException e) {
            source = null;
        }
        if (source != null && Files.isRegularFile(source) && source.toString().endsWith(".jar")) {
            return javaCommand("-jar", source.toString());
        }
        String classPath = absoluteClassPath(System.getProperty("java.class.path"));
        return javaCommand("-cp", classPath, mainClass.getName());
    }

    /**
     * The JVM options every keywarden process gets, as {@code ./keywarden} passes them: on JDK 23 and
     * later {@code --sun-misc-unsafe-memory-access=allow}, so dependencies that still use
     * {@code sun.misc.Unsafe} (protobuf through Tink, Netty through Lettuce) print no JDK 24+ deprecation
     * warning; nothing on older JDKs, which do not know the option.
     */
    public static List<String> jvmOptions() {
        return jvmOptions(Runtime.version().feature());
    }

    static List<String> jvmOptions(int javaFeatureVersion) {
        return javaFeatureVersion >= 23 ? List.of("--sun-misc-unsafe-memory-access=allow") : List.of();
    }

    private static List<String> javaCommand(String... rest) {
        List<String> command = new java.util.ArrayList<>();
        command.add(java());
        command.addAll(jvmOptions());
        command.addAll(List.of(rest));
        return List.copyOf(command);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toAbsolutePath().toString();
    }

    private static String absoluteClassPath(String classPath) {
        StringBuilder sb = new StringBuilder();
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append(java.io.File.pathSeparator);
            }
            sb.append(Path.of(entry).toAbsolutePath().normalize());
        }
        return sb.toString();
    }
}
