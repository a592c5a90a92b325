package dev.keywarden.config;

import java.util.Objects;

/**
 * A configuration value that is a secret. {@link #toString()} never reveals it, so a config
 * object can be logged or dumped safely; only {@link #reveal()} returns the value.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The secret itself: pass it straight to the component that needs it, never to text output. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "[secret]";
    }
}
