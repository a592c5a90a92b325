package dev.keywarden.config;

import java.util.Locale;

/**
 * Deployment environment. {@code development} allows conveniences (.env files, demo mode with the
 * bundled fake upstream) that {@code staging} and {@code production} refuse: those two are the
 * "real" environments, where a gateway must serve with a real provider key or not start.
 */
public enum Environment {
    DEVELOPMENT, STAGING, PRODUCTION;

    static Environment parse(String raw) {
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "development", "dev" -> DEVELOPMENT;
            case "staging", "stage" -> STAGING;
            case "production", "prod" -> PRODUCTION;
            default -> throw new IllegalArgumentException("must be 'development', 'staging' or 'production'");
        };
    }

    /** Whether this is {@link #DEVELOPMENT}, the only environment with demo mode and .env files. */
    public boolean isDevelopment() {
        return this == DEVELOPMENT;
    }

    /** The configured name: {@code development}, {@code staging} or {@code production}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
