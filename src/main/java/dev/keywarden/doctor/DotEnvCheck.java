package dev.keywarden.doctor;

import dev.keywarden.scan.GitScanner;
import dev.keywarden.scan.GitignoreShield;
import java.util.List;

/**
 * {@code .env}-style files (which hold secrets) in the working directory's git repository are ignored
 * and not tracked, as {@link GitignoreShield} (the scanner's ".gitignore shield") judges them: a tracked
 * {@code .env} file is a FAIL, a standard name not ignored a WARN. Outside a git repository it passes.
 */
final class DotEnvCheck implements Check {

    @Override
    public String id() {
        return "dotenv";
    }

    @Override
    public String title() {
        return ".env ignored by git";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        List<String> tracked;
        List<String> unignored;
        try {
            if (!GitignoreShield.inRepository(input.workDir())) {
                return pass("not a git working tree (" + input.workDir().toAbsolutePath().normalize() + ")");
            }
            tracked = GitignoreShield.trackedEnvFiles(input.workDir());
            unignored = GitignoreShield.unignoredEnvNames(input.workDir());
        } catch (GitScanner.GitException e) {
            return warn("cannot ask git: " + e.getMessage(), "install git, or run doctor from the repository's working tree");
        }
        if (!tracked.isEmpty()) {
            return fail("tracked by git: " + String.join(", ", tracked),
                    "git rm --cached " + String.join(" ", tracked) + ", rotate every secret those files held (they stay in "
                            + "history), then add the ignore lines: keywarden scan install-hook --fix-gitignore");
        }
        if (!unignored.isEmpty()) {
            return warn("not ignored by .gitignore: " + String.join(", ", unignored),
                    "add the standard lines (.env, .env.*, !.env.example): keywarden scan install-hook --fix-gitignore");
        }
        return pass(".env files are ignored and none is tracked");
    }
}
