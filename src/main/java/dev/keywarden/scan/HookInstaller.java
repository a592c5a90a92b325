package dev.keywarden.scan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Installs and removes the git pre-commit hook that runs {@code keywarden scan --staged} and
 * blocks the commit on a finding (or on a scan failure: the hook fails closed). The hook goes
 * into the repository's hooks directory ({@code git rev-parse --git-path hooks}, which honours
 * {@code core.hooksPath}) and calls keywarden by the absolute command given at install time.
 * A pre-commit hook not written by keywarden is never overwritten: installation refuses, or with
 * {@code chain} moves it aside to {@value #CHAINED_NAME} and runs it first.
 */
public final class HookInstaller {

    /** Marks a hook file as written by keywarden. */
    static final String MARKER = "keywarden-pre-commit-hook v1";
    static final String HOOK_NAME = "pre-commit";
    static final String CHAINED_NAME = "pre-commit.keywarden-chained";
    /** When this file exists at the top of the work tree, the hook passes it as {@code --baseline}. */
    public static final String BASELINE_NAME = ".keywarden-baseline.json";

    private final Path repo;

    public HookInstaller(Path repo) {
        this.repo = repo;
    }

    /** What an install or uninstall did, in words for the user. */
    public record Outcome(Path hook, String message) {
    }

    /** The hook file this repository uses. */
    public Path hookPath() {
        Git.requireRepository(repo);
        String hooks = Git.run(repo, "rev-parse", "--git-path", "hooks").strip();
        Path dir = Path.of(hooks);
        if (!dir.isAbsolute()) {
            dir = repo.toAbsolutePath().resolve(dir);
        }
        return dir.normalize().resolve(HOOK_NAME);
    }

    /**
     * Writes the hook.
     *
     * @param command the absolute command that starts keywarden (e.g. {@code [/usr/bin/java, -jar, /opt/keywarden.jar]})
     * @param chain   keep an existing foreign hook by running it first, instead of refusing
     * @throws HookException when a foreign hook exists and {@code chain} is false
     */
    public Outcome install(List<String> command, boolean chain) {
        Path hook = hookPath();
        try {
            Files.createDirectories(hook.getParent());
            String note = "";
            if (Files.exists(hook) && !isOurs(hook)) {
                if (!chain) {
                    throw new HookException("a pre-commit hook not written by keywarden already exists at " + hook
                            + "; rerun with --chain to keep it (it will run first, then the scan), or add `"
                            + shellCommand(command) + " scan --staged` to it yourself");
                }
                Path chained = hook.resolveSibling(CHAINED_NAME);
                if (Files.exists(chained)) {
                    throw new HookException(chained + " already exists; move it away before chaining " + hook);
                }
                Files.move(hook, chained, StandardCopyOption.ATOMIC_MOVE);
                note = " (the existing hook was moved to " + chained + " and runs first)";
            }
            boolean updating = Files.exists(hook);
            Files.writeString(hook, script(command), StandardCharsets.UTF_8);
            makeExecutable(hook);
            return new Outcome(hook, (updating ? "updated " : "installed ") + hook + note
                    + ": every commit now runs keywarden scan --staged and is blocked when it adds a secret");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the hook " + hook, e);
        }
    }

    /**
     * Removes the hook written by keywarden and puts a chained hook back.
     *
     * @throws HookException when the hook there was not written by keywarden
     */
    public Outcome uninstall() {
        Path hook = hookPath();
        Path chained = hook.resolveSibling(CHAINED_NAME);
        try {
            if (!Files.exists(hook)) {
                return new Outcome(hook, "no pre-commit hook at " + hook + "; nothing to remove");
            }
            if (!isOurs(hook)) {
                throw new HookException("the pre-commit hook at " + hook + " was not written by keywarden; left unchanged");
            }
            Files.delete(hook);
            if (Files.exists(chained)) {
                Files.move(chained, hook, StandardCopyOption.ATOMIC_MOVE);
                return new Outcome(hook, "removed the keywarden hook and restored the previous hook at " + hook);
            }
            return new Outcome(hook, "removed the keywarden hook " + hook);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the hook " + hook, e);
        }
    }

    static boolean isOurs(Path hook) throws IOException {
        return Files.readString(hook, StandardCharsets.ISO_8859_1).contains(MARKER);
    }

    /**
     * The hook script: runs a chained hook first, then the staged scan; exits non-zero to block. It calls keywarden
     * by the command recorded at install time while that still exists (the launcher script, or Java and the jar),
     * else a {@code keywarden} on {@code PATH} (a moved checkout, a removed JDK), else fails closed naming the fix.
     */
    static String script(List<String> command) {
        String kw = shellCommand(command);
        String usable = "[ -x " + shellQuote(command.getFirst()) + " ]";
        int jar = command.indexOf("-jar");
        if (jar >= 0 && jar + 1 < command.size()) {
            usable += " && [ -f " + shellQuote(command.get(jar + 1)) + " ]";
        }
        return """
                #!/bin/sh
                # %s
                # Blocks a commit that adds a secret (keys, tokens, private keys). Installed by
                # `keywarden scan install-hook`; remove with `keywarden scan install-hook --uninstall`.
                # A false positive: add keywarden:allow on its line, or accept it in %s.
                # Bypass once (not recommended): git commit --no-verify
                keywarden_run() {
                  if %s; then
                    %s "$@"
                  elif command -v keywarden >/dev/null 2>&1; then
                    keywarden "$@"
                  else
                    echo "keywarden: cannot run the secret scan: the keywarden recorded at install time is gone and none is on PATH;" \
                      "reinstall the hook with keywarden scan install-hook" >&2
                    return 2
                  fi
                }
                hook_dir=$(dirname "$0")
                if [ -x "$hook_dir/%s" ]; then
                  "$hook_dir/%s" "$@" || exit $?
                fi
                top=$(git rev-parse --show-toplevel) || exit 2
                if [ -f "$top/%s" ]; then
                  keywarden_run scan --staged --repo "$top" --baseline "$top/%s"
                else
                  keywarden_run scan --staged --repo "$top"
                fi
                status=$?
                if [ "$status" -eq 1 ]; then
                  echo "keywarden: commit blocked: the staged changes contain the secret(s) listed above." >&2
                  echo "keywarden: remove them (and rotate any real credential), then commit again." >&2
                elif [ "$status" -ne 0 ]; then
                  echo "keywarden: commit blocked: the secret scan could not run (exit $status); see the message above." >&2
                fi
                exit "$status"
                """.formatted(MARKER, BASELINE_NAME, usable, kw, CHAINED_NAME,
                CHAINED_NAME, BASELINE_NAME, BASELINE_NAME);
    }

    static String shellCommand(List<String> command) {
        return command.stream().map(HookInstaller::shellQuote).collect(Collectors.joining(" "));
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void makeExecutable(Path hook) throws IOException {
        try {
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            if (!hook.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + hook + " executable");
            }
        }
    }

    /** The hook cannot be installed or removed as asked; the message says why and what to do. */
    public static final class HookException extends RuntimeException {
        public HookException(String message) {
            super(message, null, false, false);
        }
    }
}
