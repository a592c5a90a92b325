package dev.keywarden.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code keywarden} in-process with a given environment and standard input, capturing stdout and stderr. */
final class CliRunner {

    record Run(int exitCode, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        String all() {
            return out + err;
        }
    }

    private CliRunner() {
    }

    static Run withStdin(Map<String, String> env, String stdin, String... args) {
        return execute(CliContext.of(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))), args);
    }

    /** Runs with {@code workDir} as the working directory (where keywarden.yaml and .env are looked for). */
    static Run inDirectory(java.nio.file.Path workDir, Map<String, String> env, String... args) {
        return execute(new CliContext(env, new ByteArrayInputStream(new byte[0]), false, workDir), args);
    }

    private static Run execute(CliContext context, String... args) {
        CommandLine cl = Main.commandLine();
        CliContext.install(cl, context);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Run run(Map<String, String> env, String... args) {
        return withStdin(env, "", args);
    }
}
