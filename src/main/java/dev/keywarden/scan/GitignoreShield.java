package dev.keywarden.scan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The ".gitignore shield": finds {@code .env}-style files (which hold secrets) that git tracks,
 * standard {@code .env} names that {@code .gitignore} does not cover, and can add the standard
 * ignore lines. Templates such as {@code .env.example} are not secrets and stay allowed.
 */
public final class GitignoreShield {

    /** Names that must be ignored in every repository. */
    static final List<String> MUST_IGNORE = List.of(".env", ".env.local", ".env.production", ".env.development.local");

    /** The lines {@link #fix} adds to the top-level {@code .gitignore}. */
    public static final List<String> STANDARD_LINES = List.of(
            "# keywarden: keep .env-style secret files out of git",
            ".env",
            ".env.*",
            "*.env",
            "!.env.example",
            "!.env.sample",
            "!.env.template");

    private static final Set<String> TEMPLATE_SUFFIXES = Set.of("example", "sample", "template", "dist", "defaults");

    private GitignoreShield() {
    }

    /** True for {@code .env}, {@code .env.local}, {@code prod.env} ...; false for {@code .env.example} and the like. */
    public static boolean isEnvStyle(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        boolean env = name.equals(".env") || name.startsWith(".env.") || name.endsWith(".env");
        if (!env) {
            return false;
        }
        String last = name.substring(name.lastIndexOf('.') + 1);
        return !TEMPLATE_SUFFIXES.contains(last);
    }

    /** One warning per tracked {@code .env}-style file and per standard name not ignored; empty when shielded. */
    public static List<String> check(Path repo) {
        List<String> warnings = new ArrayList<>();
        for (String tracked : trackedEnvFiles(repo)) {
            warnings.add(tracked + " is tracked by git although .env-style files hold secrets: run `git rm --cached "
                    + tracked + "`, rotate the secrets it held (they stay in history) and ignore it");
        }
        for (String name : unignoredEnvNames(repo)) {
            warnings.add(name + " is not ignored by .gitignore: add the standard lines (keywarden scan install-hook --fix-gitignore)");
        }
        return warnings;
    }

    /**
     * Whether {@code dir} is inside a git working tree.
     *
     * @throws GitScanner.GitException when git cannot be run
     */
    public static boolean inRepository(Path dir) {
        return Git.exitCode(dir, "rev-parse", "--is-inside-work-tree") == 0;
    }

    /** The {@code .env}-style files git tracks in {@code repo} (paths relative to it). */
    public static List<String> trackedEnvFiles(Path repo) {
        Git.requireRepository(repo);
        return Git.lines(repo, "ls-files", "-z").stream().filter(GitignoreShield::isEnvStyle).toList();
    }

    /** The standard {@code .env} names that {@code .gitignore} in {@code repo} does not ignore. */
    public static List<String> unignoredEnvNames(Path repo) {
        Git.requireRepository(repo);
        return MUST_IGNORE.stream().filter(name -> Git.exitCode(repo, "check-ignore", "-q", "--no-index", name) != 0).toList();
    }

    /**
     * Appends the {@link #STANDARD_LINES} missing from the top-level {@code .gitignore} (creating it).
     *
     * @return the lines added (empty when all were present)
     */
    public static List<String> fix(Path repo) {
        Path top = Path.of(Git.run(repo, "rev-parse", "--show-toplevel").strip());
        Path gitignore = top.resolve(".gitignore");
        try {
            List<String> present = Files.exists(gitignore) ? Files.readAllLines(gitignore, StandardCharsets.UTF_8) : List.of();
            List<String> missing = STANDARD_LINES.stream().filter(l -> !l.startsWith("#") && !present.contains(l)).toList();
            if (missing.isEmpty()) {
                return List.of();
            }
            StringBuilder add = new StringBuilder();
            if (!present.isEmpty() && !Files.readString(gitignore, StandardCharsets.UTF_8).endsWith("\n")) {
                add.append('\n');
            }
            add.append(STANDARD_LINES.getFirst()).append('\n');
            missing.forEach(l -> add.append(l).append('\n'));
            Files.writeString(gitignore, add, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return missing;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + gitignore, e);
        }
    }
}
