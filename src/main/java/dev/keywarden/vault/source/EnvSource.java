package dev.keywarden.vault.source;

import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.util.Map;

/** {@code env:VAR}: reads one variable from the environment map given at parse time. */
final class EnvSource implements SecretSource {

    private final String name;
    private final Map<String, String> env;

    private EnvSource(String name, Map<String, String> env) {
        this.name = name;
        this.env = env;
    }

    static EnvSource parse(String rest, Map<String, String> env) {
        if (!SecretSources.VAR_NAME.matcher(rest).matches()) {
            throw SecretSources.invalid("env", "the variable name is not valid; write env:VAR with letters, digits "
                    + "and underscores, not starting with a digit (e.g. env:ANTHROPIC_API_KEY)");
        }
        return new EnvSource(rest, env);
    }

    @Override
    public byte[] fetch() {
        String value = env.get(name);
        if (value == null) {
            throw new SecretSourceException(Kind.NOT_FOUND, describe() + ": environment variable " + name
                    + " is not set; export it in the gateway's environment (or use another source)");
        }
        return SecretBytes.finish(value, describe());
    }

    @Override
    public String describe() {
        return "env:" + name;
    }

    @Override
    public String toString() {
        return "SecretSource[" + describe() + "]";
    }
}
