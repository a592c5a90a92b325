package dev.keywarden.config;

/**
 * A configuration mistake that must stop start-up. The message is one line that names the
 * setting (YAML path and environment variable) and says how to fix it; it never contains a
 * secret value.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
