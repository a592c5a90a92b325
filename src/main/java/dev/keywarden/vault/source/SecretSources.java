package dev.keywarden.vault.source;

import dev.keywarden.config.Environment;
import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a secret source spec into a {@link SecretSource}. The spec says <em>where</em> a
 * provider key is, never what it is:
 *
 * <ul>
 *   <li>{@code env:VAR} — an environment variable;</li>
 *   <li>{@code file:/path} — a file readable only by its owner (relative paths resolve against
 *       the working directory);</li>
 *   <li>{@code dotenv:NAME[@path]} — a {@code .env} file, development only;</li>
 *   <li>{@code vault-kv:mount/path[#field][?version=N]} — HashiCorp Vault KV version 2;</li>
 *   <li>{@code aws-sm:secret-id[#jsonField]} — AWS Secrets Manager;</li>
 *   <li>{@code gcp-sm:projects/P/secrets/S[/versions/V]} — Google Secret Manager.</li>
 * </ul>
 *
 * <p>Guarantees: a spec that could carry a secret ({@code literal:} and similar forms, or
 * anything containing a provider-key prefix) is refused, and a refused spec is never echoed
 * beyond its scheme. Parsing checks syntax and the settings each source needs (for example
 * {@code VAULT_ADDR}), so configuration mistakes surface before any key is fetched; nothing is
 * read or sent over the network until {@link SecretSource#fetch()}.
 */
public final class SecretSources {

    static final Pattern VAR_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");
    private static final Pattern SAFE_SCHEME = Pattern.compile("[a-z][a-z0-9+.\\-]{0,19}");
    private static final Set<String> VALUE_CARRYING_SCHEMES = Set.of("literal", "value", "raw", "plain", "plaintext",
            "text", "inline", "string", "base64", "hex", "data", "key", "secret");
    private static final String FORMS = "env:VAR, file:/path, dotenv:NAME[@path], vault-kv:mount/path#field, "
            + "aws-sm:secret-id[#jsonField] or gcp-sm:projects/P/secrets/S/versions/V";

    private SecretSources() {
    }

    /** {@link #parse(String, Map, Path, SourceOptions)} with {@link SourceOptions#defaults()}. */
    public static SecretSource parse(String spec, Map<String, String> env, Path workDir) {
        return parse(spec, env, workDir, SourceOptions.defaults());
    }

    /**
     * Parses {@code spec}.
     *
     * @param env     the process environment (or a stand-in): variables for {@code env:} and the
     *                settings of the cloud sources ({@code VAULT_ADDR}, {@code AWS_REGION}, …)
     * @param workDir where relative {@code file:} and {@code dotenv:} paths resolve
     * @throws SecretSourceException ({@link Kind#INVALID_SPEC} or {@link Kind#MISCONFIGURED})
     *         naming the scheme and the fix
     */
    public static SecretSource parse(String spec, Map<String, String> env, Path workDir, SourceOptions options) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(options, "options");
        String s = spec.strip();
        if (s.toLowerCase(Locale.ROOT).contains("sk-ant-")) {
            throw new SecretSourceException(Kind.INVALID_SPEC, "secret source spec contains what looks like a provider key "
                    + "(it is not repeated here); a spec must say where the key is, not carry it: put the key in an "
                    + "environment variable or a file and use env:VAR or file:/path. If the key was pasted into a "
                    + "config file or shell history, treat it as leaked and rotate it");
        }
        int colon = s.indexOf(':');
        if (colon <= 0) {
            throw new SecretSourceException(Kind.INVALID_SPEC,
                    "secret source spec has no scheme (it is not repeated here); write one of " + FORMS);
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = s.substring(colon + 1);
        return switch (scheme) {
            case "env" -> EnvSource.parse(rest, env);
            case "file" -> FileSource.parse(rest, workDir, options);
            case "dotenv" -> DotEnvSource.parse(rest, workDir, environment(env, options), options);
            case "vault-kv" -> VaultKvSource.parse(rest, env, options);
            case "aws-sm" -> AwsSecretsManagerSource.parse(rest, env, options);
            case "gcp-sm" -> GcpSecretManagerSource.parse(rest, env, options);
            default -> throw unknownScheme(scheme);
        };
    }

    private static SecretSourceException unknownScheme(String scheme) {
        if (VALUE_CARRYING_SCHEMES.contains(scheme)) {
            return new SecretSourceException(Kind.INVALID_SPEC, "secret source '" + scheme + ":' is refused: a spec must "
                    + "say where the key is, never carry the key itself (specs end up in config files, shell history and "
                    + "audit records); put the key in an environment variable or a private file and use env:VAR or file:/path");
        }
        String named = SAFE_SCHEME.matcher(scheme).matches() ? "'" + scheme + ":'" : "(not repeated here)";
        return new SecretSourceException(Kind.INVALID_SPEC,
                "unknown secret source scheme " + named + "; write one of " + FORMS);
    }

    private static Environment environment(Map<String, String> env, SourceOptions options) {
        if (options.environment().isPresent()) {
            return options.environment().get();
        }
        String raw = env.get("KEYWARDEN_ENV");
        if (raw == null) {
            return Environment.PRODUCTION;
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "development", "dev" -> Environment.DEVELOPMENT;
            default -> Environment.PRODUCTION;
        };
    }

    /** Error for a malformed spec of a known scheme; the malformed part is never echoed. */
    static SecretSourceException invalid(String scheme, String problem) {
        return new SecretSourceException(Kind.INVALID_SPEC, scheme + ": " + problem);
    }
}
