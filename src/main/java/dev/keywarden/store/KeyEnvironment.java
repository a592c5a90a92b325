package dev.keywarden.store;

import java.util.Locale;

/**
 * The deployment environment a provider key belongs to. A gateway only ever selects keys of its own
 * environment ({@code vault.key_environment}), so a development gateway cannot spend production keys.
 * Each environment has a default rotation policy: 90 days for dev, 60 for staging, 30 for prod.
 */
public enum KeyEnvironment {
    DEV("dev", 90), STAGING("staging", 60), PROD("prod", 30);

    private final String id;
    private final int defaultRotationDays;

    KeyEnvironment(String id, int defaultRotationDays) {
        this.id = id;
        this.defaultRotationDays = defaultRotationDays;
    }

    /** The stored and configured name: {@code dev}, {@code staging} or {@code prod}. */
    public String id() {
        return id;
    }

    /** How many days a key of this environment may stay in service before it is overdue for rotation. */
    public int defaultRotationDays() {
        return defaultRotationDays;
    }

    /**
     * Parses {@code dev}/{@code development}, {@code staging}, {@code prod}/{@code production}
     * (any case).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static KeyEnvironment parse(String raw) {
        String v = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "dev", "development" -> DEV;
            case "staging" -> STAGING;
            case "prod", "production" -> PROD;
            default -> throw new IllegalArgumentException(
                    "key environment must be one of dev, staging, prod but was '" + raw + "'");
        };
    }

    @Override
    public String toString() {
        return id;
    }
}
