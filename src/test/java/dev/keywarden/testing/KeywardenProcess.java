package dev.keywarden.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged jar as a newcomer runs it: a separate process, with only the given settings in its environment. */
public final class KeywardenProcess {

    private KeywardenProcess() {
    }

    /** {@code java -jar keywarden.jar ARGS} in {@code dir}, with no {@code KEYWARDEN_*}/{@code ANTHROPIC_*} but {@code env}. */
    public static ProcessBuilder builder(Path dir, Map<String, String> env, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", System.getProperty("keywarden.jar", "target/keywarden.jar")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARDEN_") || k.startsWith("ANTHROPIC_"));
        pb.environment().putAll(env);
        return pb;
    }
}
