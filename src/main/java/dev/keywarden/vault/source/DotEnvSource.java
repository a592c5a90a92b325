package dev.keywarden.vault.source;

import dev.keywarden.config.DotEnv;
import dev.keywarden.config.Environment;
import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code dotenv:NAME[@path]}: one variable from a {@code .env} file (default {@code .env} in the
 * working directory). For development only: refused when the environment is production, and
 * every parse warns, naming the file. The file is read by the configuration loader's own parser
 * ({@link DotEnv}: {@code KEY=VALUE}, optional {@code export}, quotes, {@code #} comments); a malformed
 * line is reported by number, never by content.
 */
final class DotEnvSource implements SecretSource {

    private final String name;
    private final Path file;

    private DotEnvSource(String name, Path file) {
        this.name = name;
        this.file = file;
    }

    static DotEnvSource parse(String rest, Path workDir, Environment environment, SourceOptions options) {
        int at = rest.indexOf('@');
        String name = at < 0 ? rest : rest.substring(0, at);
        String path = at < 0 ? ".env" : rest.substring(at + 1);
        if (!SecretSources.VAR_NAME.matcher(name).matches()) {
            throw SecretSources.invalid("dotenv", "the variable name is not valid; write dotenv:NAME or dotenv:NAME@path/to/.env");
        }
        if (path.isBlank()) {
            throw SecretSources.invalid("dotenv", "no path after '@'; write dotenv:NAME@path/to/.env or leave out '@' for ./.env");
        }
        Path file;
        try {
            file = workDir.resolve(path).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw SecretSources.invalid("dotenv", "the path is not valid on this system");
        }
        DotEnvSource source = new DotEnvSource(name, file);
        if (environment == Environment.PRODUCTION) {
            throw new SecretSourceException(Kind.MISCONFIGURED, source.describe() + ": .env files are for development only "
                    + "and are refused in production; use env:, file: or a secrets manager (vault-kv:, aws-sm:, gcp-sm:), "
                    + "or set KEYWARDEN_ENV=development on a development machine");
        }
        options.warn(source.describe() + ": reading a provider key from the .env file " + file
                + " (development only; use env:, file: or a secrets manager in production, and keep .env out of git)");
        return source;
    }

    @Override
    public byte[] fetch() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SecretSourceException(Kind.NOT_FOUND, describe() + ": no such file; create it or fix the path after '@'");
        } catch (IOException e) {
            throw new SecretSourceException(Kind.UNAVAILABLE, describe() + ": cannot be read (" + e.getClass().getSimpleName()
                    + "); check the file's permissions");
        }
        String value = find(text);
        if (value == null) {
            throw new SecretSourceException(Kind.NOT_FOUND, describe() + ": " + file + " has no variable " + name
                    + "; add a line " + name + "=... or fix the name");
        }
        return SecretBytes.finish(value, describe());
    }

    private String find(String text) {
        try {
            return DotEnv.parse(text).get(name); // the last definition wins, as in shells
        } catch (DotEnv.MalformedLineException e) {
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": line " + e.line() + " of " + file
                    + " is not KEY=VALUE; fix or remove that line");
        }
    }

    @Override
    public String describe() {
        return "dotenv:" + name + "@" + file;
    }

    @Override
    public String toString() {
        return "SecretSource[" + describe() + "]";
    }
}
